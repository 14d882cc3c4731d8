/** /proc/PID/status: identity, memory summary, signal masks, capabilities, context switches. */
import { ParseError } from './stat.js';

export interface IdSet {
  real: number;
  effective: number;
  saved: number;
  filesystem: number;
}

/** One process as /proc/PID/status shows it. Sizes in bytes; masks as the kernel's hex text. */
export interface ProcessStatus {
  name: string;
  umask?: string;
  state: string;
  tgid: number;
  pid: number;
  ppid: number;
  tracerPid: number;
  uid: IdSet;
  gid: IdSet;
  groups: number[];
  /** PIDs in each nested PID namespace, outermost first. */
  nspid: number[];
  kthread?: boolean;
  vmPeak?: number;
  vmSize?: number;
  vmLck?: number;
  vmHWM?: number;
  vmRSS?: number;
  rssAnon?: number;
  rssFile?: number;
  rssShmem?: number;
  vmData?: number;
  vmStk?: number;
  vmExe?: number;
  vmLib?: number;
  vmPTE?: number;
  vmSwap?: number;
  threads: number;
  sigQ?: string;
  sigPnd: string;
  shdPnd: string;
  sigBlk: string;
  sigIgn: string;
  sigCgt: string;
  capInh: string;
  capPrm: string;
  capEff: string;
  capBnd: string;
  capAmb: string;
  noNewPrivs?: boolean;
  seccomp?: number;
  cpusAllowedList?: string;
  voluntaryCtxt: number;
  nonvoluntaryCtxt: number;
  /** Every line, as text, for fields without a typed slot. */
  raw: Record<string, string>;
}

const KB_FIELDS: Record<string, keyof ProcessStatus> = {
  VmPeak: 'vmPeak',
  VmSize: 'vmSize',
  VmLck: 'vmLck',
  VmHWM: 'vmHWM',
  VmRSS: 'vmRSS',
  RssAnon: 'rssAnon',
  RssFile: 'rssFile',
  RssShmem: 'rssShmem',
  VmData: 'vmData',
  VmStk: 'vmStk',
  VmExe: 'vmExe',
  VmLib: 'vmLib',
  VmPTE: 'vmPTE',
  VmSwap: 'vmSwap',
};

function ids(text: string | undefined): IdSet {
  const [real = -1, effective = -1, saved = -1, filesystem = -1] = (text ?? '').trim().split(/\s+/).map(Number);
  return { real, effective, saved, filesystem };
}

/** "Key:\tvalue" lines → map (values trimmed). */
export function parseKeyValueLines(text: string, sep = ':'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(sep);
    if (i <= 0) continue;
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** "1234 kB" → bytes. */
export function kbToBytes(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)\s*kB$/.exec(v.trim());
  return m ? Number(m[1]) * 1024 : undefined;
}

export function parseStatus(text: string): ProcessStatus {
  const raw = parseKeyValueLines(text);
  if (raw.Name === undefined || raw.Pid === undefined) throw new ParseError('status: no Name/Pid');
  const num = (k: string) => Number(raw[k] ?? 0);
  const hex = (k: string) => raw[k] ?? '0000000000000000';
  const st: ProcessStatus = {
    name: raw.Name,
    umask: raw.Umask,
    state: (raw.State ?? '?').charAt(0),
    tgid: num('Tgid'),
    pid: num('Pid'),
    ppid: num('PPid'),
    tracerPid: num('TracerPid'),
    uid: ids(raw.Uid),
    gid: ids(raw.Gid),
    groups: (raw.Groups ?? '').split(/\s+/).filter(Boolean).map(Number),
    nspid: (raw.NSpid ?? raw.Pid).split(/\s+/).filter(Boolean).map(Number),
    kthread: raw.Kthread === undefined ? undefined : raw.Kthread === '1',
    threads: num('Threads'),
    sigQ: raw.SigQ,
    sigPnd: hex('SigPnd'),
    shdPnd: hex('ShdPnd'),
    sigBlk: hex('SigBlk'),
    sigIgn: hex('SigIgn'),
    sigCgt: hex('SigCgt'),
    capInh: hex('CapInh'),
    capPrm: hex('CapPrm'),
    capEff: hex('CapEff'),
    capBnd: hex('CapBnd'),
    capAmb: hex('CapAmb'),
    noNewPrivs: raw.NoNewPrivs === undefined ? undefined : raw.NoNewPrivs === '1',
    seccomp: raw.Seccomp === undefined ? undefined : Number(raw.Seccomp),
    cpusAllowedList: raw.Cpus_allowed_list,
    voluntaryCtxt: num('voluntary_ctxt_switches'),
    nonvoluntaryCtxt: num('nonvoluntary_ctxt_switches'),
    raw,
  };
  for (const [key, slot] of Object.entries(KB_FIELDS)) {
    const v = kbToBytes(raw[key]);
    if (v !== undefined) (st as unknown as Record<string, number>)[slot] = v;
  }
  return st;
}
