/**
 * What the process that started oslens gave it, for `oslens trace -- CMD` to give CMD the same:
 * Node changes these in its own process as it starts or first writes to stdout (it resets
 * ignored signals to SIG_DFL, marks inherited descriptors close-on-exec, sets O_NONBLOCK on its
 * stdio). The signals and descriptors come from bin/oslens, which reads them in sh before it
 * execs Node (OSLENS_CALLER); the stdio flags are read here, when this module is evaluated:
 * src/cli/main.ts imports it first, before anything touches process.stdout.
 */
import { readFileSync } from 'node:fs';

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
}

const O_NONBLOCK = 0o4000;

/** Parses OSLENS_CALLER (`ign=HEX;blk=HEX;fds=0,1,2;stdio=9,8,-`). */
export function parseCallerEnv(text: string | undefined): Omit<CallerState, 'stdioNonblock'> {
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

function snapshot(): CallerState {
  const env = process.env.OSLENS_CALLER;
  // Ours, not the user's: no child of oslens should see it.
  delete process.env.OSLENS_CALLER;
  return { ...parseCallerEnv(env), stdioNonblock: [0, 1, 2].map(stdioNonblock) };
}

export const CALLER: CallerState = snapshot();
