/** The resource usage of one finished command (from wait4 in native/proc/runwait.c), as a record. */
import { FIELDS, type FieldName } from './fields.js';
import { ParseError } from './parse.js';
import { signalName } from './signals.js';

/** The helper's JSON line, verbatim. */
export interface RawRusage {
  pid: number;
  exited: boolean;
  exitCode: number;
  signal: number;
  coreDumped: boolean;
  execErrno: number;
  execError: string;
  wall: number;
  user: number;
  sys: number;
  maxRssKb: number;
  minflt: number;
  majflt: number;
  nvcsw: number;
  nivcsw: number;
  inblock: number;
  oublock: number;
}

/** `time --json`. Seconds and bytes. */
export interface CommandUsage {
  command: string[];
  pid: number;
  exitCode: number | null;
  signal: string | null;
  /** What oslens exits with: the command's status, or 128 + signal. */
  exitStatus: number;
  wall: number;
  user: number;
  sys: number;
  maxRss: number;
  minflt: number;
  majflt: number;
  voluntaryCtxt: number;
  nonvoluntaryCtxt: number;
  inblock: number;
  oublock: number;
  rows: UsageRow[];
}

export interface UsageRow {
  field: string;
  label: string;
  value: number;
  unit: string;
  model: string | null;
  latencyRow: string | null;
  help: string;
}

/** /usr/bin/time -v style labels for the report. */
const TIME_LABELS: Record<string, string> = {
  minflt: 'minor faults',
  majflt: 'major faults',
  voluntaryCtxt: 'voluntary switches',
  nonvoluntaryCtxt: 'involuntary switches',
};

const RUSAGE_NUMBERS = [
  'pid',
  'exitCode',
  'signal',
  'execErrno',
  'wall',
  'user',
  'sys',
  'maxRssKb',
  'minflt',
  'majflt',
  'nvcsw',
  'nivcsw',
  'inblock',
  'oublock',
] as const;
const RUSAGE_BOOLEANS = ['exited', 'coreDumped'] as const;

/** The helper's last line: JSON with every field of RawRusage, each of its type (else ParseError). */
export function parseRusageLine(text: string): RawRusage {
  const line = text.trim().split('\n').pop() ?? '';
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new ParseError(`rusage: not JSON: ${JSON.stringify(line.slice(0, 40))}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ParseError('rusage: not an object');
  const o = v as Record<string, unknown>;
  for (const k of RUSAGE_NUMBERS) {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || (x < 0 && k !== 'pid' && k !== 'exitCode'))
      throw new ParseError(`rusage: ${k}: not a number ≥ 0`);
  }
  for (const k of RUSAGE_BOOLEANS) if (typeof o[k] !== 'boolean') throw new ParseError(`rusage: ${k}: not a boolean`);
  if (typeof o.execError !== 'string') throw new ParseError('rusage: execError: not a string');
  return o as unknown as RawRusage;
}

export function toCommandUsage(raw: RawRusage, command: string[]): CommandUsage {
  const u: Omit<CommandUsage, 'rows'> = {
    command,
    pid: raw.pid,
    exitCode: raw.exited ? raw.exitCode : null,
    signal: raw.signal ? signalName(raw.signal) : null,
    exitStatus: raw.exited ? raw.exitCode : 128 + raw.signal,
    wall: raw.wall,
    user: raw.user,
    sys: raw.sys,
    maxRss: raw.maxRssKb * 1024,
    minflt: raw.minflt,
    majflt: raw.majflt,
    voluntaryCtxt: raw.nvcsw,
    nonvoluntaryCtxt: raw.nivcsw,
    inblock: raw.inblock,
    oublock: raw.oublock,
  };
  const row = (field: string, meta: FieldName, value: number): UsageRow => {
    const f = FIELDS[meta];
    return {
      field,
      label: TIME_LABELS[field] ?? f.label,
      value,
      unit: f.unit,
      model: 'model' in f ? f.model : null,
      latencyRow: 'latencyRow' in f ? f.latencyRow : null,
      help: f.help,
    };
  };
  const rows = [
    row('wall', 'wall', u.wall),
    row('user', 'user_time', u.user),
    row('sys', 'sys_time', u.sys),
    row('maxRss', 'maxRss', u.maxRss),
    row('minflt', 'minflt', u.minflt),
    row('majflt', 'majflt', u.majflt),
    row('voluntaryCtxt', 'voluntaryCtxt', u.voluntaryCtxt),
    row('nonvoluntaryCtxt', 'nonvoluntaryCtxt', u.nonvoluntaryCtxt),
    row('inblock', 'inblock', u.inblock),
    row('oublock', 'oublock', u.oublock),
  ];
  return { ...u, rows };
}
