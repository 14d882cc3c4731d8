/** The resource usage of one finished command (from wait4 in native/proc/runwait.c), as a record. */
import { FIELDS, type FieldName } from './fields.js';
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

export function parseRusageLine(text: string): RawRusage {
  const line = text.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as RawRusage;
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
