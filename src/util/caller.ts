/**
 * What the process that started oslens gave it, for `oslens trace -- CMD` to give CMD the same:
 * Node changes these in its own process as it starts or first writes to stdout (it resets
 * ignored signals to SIG_DFL, marks inherited descriptors close-on-exec, sets O_NONBLOCK on its
 * stdio). The signals and descriptors come from bin/oslens, which reads them in sh before it
 * execs Node (OSLENS_CALLER); the stdio flags are read here, when this module is evaluated:
 * src/cli/main.ts imports it first, before anything touches process.stdout.
 */
import { readFileSync } from 'node:fs';
import { splitNul } from '../trace/bytes.js';

export interface CallerState {
  /** SigIgn and SigBlk as /proc/PID/status writes them (hex), null when unknown. */
  sigIgnored: string | null;
  sigBlocked: string | null;
  /** The open descriptors, null when unknown (oslens run as `node bin/oslens`). */
  fds: number[] | null;
  /** Copies of fds 0, 1, 2 that bin/oslens made before Node could replace them (null: none). */
  savedStdio: (number | null)[];
  /** O_NONBLOCK of fds 0, 1, 2 at start-up (null: closed or unreadable). */
  stdioNonblock: (boolean | null)[];
  /**
   * The environment the caller gave oslens, entry by entry (bytes), before bin/oslens's sh
   * exported PWD or moved it; null when unknown (then /proc/self/environ is the best there is).
   */
  environ: Buffer[] | null;
}

const O_NONBLOCK = 0o4000;

/** Parses OSLENS_CALLER (`ign=HEX;blk=HEX;fds=0,1,2;stdio=9,8,-`). */
export function parseCallerEnv(text: string | undefined): Omit<CallerState, 'stdioNonblock' | 'environ'> {
  const fields = new Map((text ?? '').split(';').map((kv) => kv.split('=', 2) as [string, string]));
  const hex = (v: string | undefined) => (v && /^[0-9a-f]{1,16}$/i.test(v) ? v : null);
  const fds = fields.get('fds');
  const stdio = (fields.get('stdio') ?? '').split(',');
  return {
    savedStdio: [0, 1, 2].map((i) => (/^\d+$/.test(stdio[i] ?? '') ? Number(stdio[i]) : null)),
    sigIgnored: hex(fields.get('ign')),
    sigBlocked: hex(fields.get('blk')),
    fds:
      fds !== undefined && /^(\d+(,\d+)*)?$/.test(fds) && text
        ? fds
            .split(',')
            .filter(Boolean)
            .map(Number)
            .sort((a, b) => a - b)
        : null,
  };
}

function stdioNonblock(fd: number): boolean | null {
  try {
    const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    return flags === undefined ? null : (parseInt(flags, 8) & O_NONBLOCK) !== 0;
  } catch {
    return null;
  }
}

const OURS = ['OSLENS_CALLER=', 'OSLENS_CALLER_ENV='].map((p) => Buffer.from(p));
const PWD = Buffer.from('PWD=');
const startsWith = (b: Buffer, prefix: Buffer) => b.subarray(0, prefix.length).equals(prefix);
const joined = (entries: Buffer[]) => Buffer.concat(entries.map((e) => Buffer.from(e.filter((c) => c !== 0))));

/**
 * The caller's environment, from the one sh exec'd Node with (`current`, NUL-separated) and the
 * caller's as sh read it (`original`: its bytes without the NULs). sh keeps every entry but
 * PWD, in another order: it adds PWD when the caller had none and sets it to the working
 * directory when the caller's named another. A variable's name ends at its first `=`, so
 * `original` splits into `current`'s entries, with the caller's PWD (if any) the bytes left
 * over. Null when that does not explain `original`.
 */
export function callerEnviron(current: Buffer, original: Buffer): Buffer[] | null {
  const entries = splitEntries(current).filter((e) => !OURS.some((p) => startsWith(e, p)));
  const byName = new Map<string, Buffer>();
  for (const e of entries) {
    const eq = e.indexOf(0x3d);
    if (eq > 0 && !startsWith(e, PWD)) byName.set(e.subarray(0, eq).toString('latin1'), e);
  }
  let pwdLength = original.length - joined([...byName.values()]).length;
  if (pwdLength !== 0 && pwdLength < PWD.length) return null;
  const out: Buffer[] = [];
  for (let at = 0; at < original.length;) {
    const eq = original.indexOf(0x3d, at);
    if (eq <= at) return null;
    const name = original.subarray(at, eq).toString('latin1');
    let entry: Buffer | undefined;
    if (name === 'PWD' && pwdLength > 0) {
      entry = Buffer.from(original.subarray(at, at + pwdLength));
      pwdLength = 0;
    } else {
      entry = byName.get(name);
      byName.delete(name);
      if (!entry || !original.subarray(at, at + entry.length).equals(entry)) return null;
    }
    out.push(entry);
    at += entry.length;
  }
  return byName.size === 0 && pwdLength === 0 ? out : null;
}

const splitEntries = (b: Buffer) => splitNul(b).filter((e) => e.length > 0);

/** The caller's environment (see callerEnviron), and process.env's PWD made to match it. */
function restoreEnviron(): Buffer[] | null {
  let current: Buffer;
  try {
    current = readFileSync('/proc/self/environ');
  } catch {
    return null;
  }
  const kept = splitEntries(current).find((e) => startsWith(e, OURS[1]!));
  if (kept === undefined) return null; // not started by bin/oslens
  const environ = callerEnviron(current, kept.subarray(OURS[1]!.length));
  if (environ === null) return null;
  const pwd = environ.find((e) => startsWith(e, PWD));
  if (pwd === undefined) delete process.env.PWD;
  else process.env.PWD = pwd.subarray(PWD.length).toString('utf8');
  return environ;
}

function snapshot(): CallerState {
  const env = process.env.OSLENS_CALLER;
  const environ = restoreEnviron();
  // Ours, not the user's: no child of oslens should see them.
  delete process.env.OSLENS_CALLER;
  delete process.env.OSLENS_CALLER_ENV;
  return { ...parseCallerEnv(env), stdioNonblock: [0, 1, 2].map(stdioNonblock), environ };
}

export const CALLER: CallerState = snapshot();
