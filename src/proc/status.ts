/** /proc/PID/status: identity, memory summary, signal masks, capabilities, context switches. */
import { ParseError, int, uint } from './parse.js';

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

/** "Uid:\t1000\t1000\t1000\t1000": all four, or a ParseError (a missing line is not uid 0). */
function ids(text: string | undefined, what: string): IdSet {
  const f = (text ?? '').split(/\s+/).filter(Boolean);
  if (f.length !== 4) throw new ParseError(`status: ${what}: expected 4 ids`);
  const [real, effective, saved, filesystem] = f.map((x) => uint(x, `status: ${what}`)) as [
    number,
    number,
    number,
    number,
  ];
  return { real, effective, saved, filesystem };
}

/** A list of ids ("Groups:", "NSpid:"), each a decimal. */
function idList(text: string | undefined, what: string): number[] {
  return (text ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((x) => uint(x, `status: ${what}`));
}

/** A mask as hex text (validated: the decoders take it as is). */
function maskText(text: string | undefined, what: string): string {
  if (text === undefined || !/^[0-9a-f]{16}$/.test(text))
    throw new ParseError(`status: ${what}: not a 64-bit hex mask`);
  return text;
}

/** The name exactly as written after "Name:\t" (its own spaces kept; the kernel escapes \n). */
function rawName(text: string): string | undefined {
  const m = /^Name:\t(.*)$/m.exec(text);
  return m?.[1];
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
  return m ? uint(m[1], 'kB value') * 1024 : undefined;
}

export function parseStatus(text: string): ProcessStatus {
  const raw = parseKeyValueLines(text);
  const name = rawName(text);
  if (name === undefined || raw.Pid === undefined) throw new ParseError('status: no Name/Pid');
  // Every field here exists since Linux 2.6.x: missing or malformed is a ParseError, not 0.
  const num = (k: string) => uint(raw[k], `status: ${k}`);
  const hex = (k: string) => maskText(raw[k], k);
  const st: ProcessStatus = {
    name,
    umask: raw.Umask,
    state: (raw.State ?? '?').charAt(0),
    tgid: num('Tgid'),
    pid: num('Pid'),
    ppid: num('PPid'),
    tracerPid: num('TracerPid'),
    uid: ids(raw.Uid, 'Uid'),
    gid: ids(raw.Gid, 'Gid'),
    groups: idList(raw.Groups, 'Groups'),
    nspid: idList(raw.NSpid ?? raw.Pid, 'NSpid'),
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
    seccomp: raw.Seccomp === undefined ? undefined : int(raw.Seccomp, 'status: Seccomp'),
    cpusAllowedList: raw.Cpus_allowed_list,
    voluntaryCtxt: num('voluntary_ctxt_switches'),
    nonvoluntaryCtxt: num('nonvoluntary_ctxt_switches'),
    raw,
  };
  for (const [key, slot] of Object.entries(KB_FIELDS)) {
    if (raw[key] === undefined) continue; // kernel threads have no Vm* lines
    const v = kbToBytes(raw[key]);
    if (v === undefined) throw new ParseError(`status: ${key}: not "N kB"`);
    (st as unknown as Record<string, number>)[slot] = v;
  }
  return st;
}
