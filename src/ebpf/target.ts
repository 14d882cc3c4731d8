/**
 * What an eBPF command watches: the whole system, `-p PID`, `--comm NAME`, `--cgroup PATH`, or
 * `-- CMD` (run a command and follow it and its children), and the loop that runs until
 * --duration, the command's exit, or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync, statfsSync } from 'node:fs';
import { constants } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { BUILD_DIR } from '../native/addon.js';
import { ExitCode, UserError, errnoCode } from '../util/errors.js';
import type { BpfFilter } from './config.js';
import type { BpfSession } from './loader.js';

export interface TargetFlags {
  pid?: string;
  comm?: string;
  cgroup?: string;
  duration?: string;
  interval?: string;
  json?: boolean;
  verbose?: boolean;
}

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('-p, --pid <pid>', 'only this process (all its threads)')
    .option('--comm <name>', 'only processes with this command name (as in /proc/PID/comm)')
    .option('--cgroup <path>', 'only processes in this cgroup v2 (path, absolute or under /sys/fs/cgroup)')
    .option('--duration <s>', 'stop after S seconds')
    .option('--interval <s>', 'print a summary every S seconds')
    .option('--json', 'machine-readable output (see README: "eBPF tools")')
    .option('-v, --verbose', 'print the libbpf/verifier log when loading fails');
}

export interface Target {
  filter: BpfFilter;
  /** The pid to add to the followed set after load (-p, or the spawned command). */
  followPid?: number;
  /** The spawned command, waiting at its gate (native/ebpf/gate.c) until runSession. */
  child?: ChildProcess;
  describe: string;
}

/*
 * Ctrl-C (or SIGTERM, SIGHUP) is handled from the first instant of an eBPF command, before the
 * command is spawned or anything is loaded: it is noted here, and the session ends as soon as it
 * can (runSession sees it), with the command ended and everything released.
 */
let interrupted = false;
let onInterrupt: (() => void) | undefined;
let signalsInstalled = false;

export function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  const note = () => {
    interrupted = true;
    onInterrupt?.();
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, note);
}

/** Whether a signal asked the command to stop (then the exit status is 130). */
export function wasInterrupted(): boolean {
  return interrupted;
}

/** Calls `fn` on the next SIGINT/SIGTERM/SIGHUP (at once if one came already). */
export function whenInterrupted(fn: () => void): void {
  installSignalHandlers();
  onInterrupt = fn;
  if (interrupted) fn();
}

const CGROUP_ROOT = '/sys/fs/cgroup';
/** statfs(2) f_type of the cgroup2 file system (linux/magic.h). */
const CGROUP2_SUPER_MAGIC = 0x63677270;

/** A cgroup v2 id is the inode number of its directory in the cgroup2 file system. */
export function cgroupId(path: string): bigint {
  const full = isAbsolute(path) ? path : resolve(CGROUP_ROOT, path);
  let ino: bigint;
  try {
    ino = statSync(full, { bigint: true }).ino;
  } catch {
    throw new UserError(`--cgroup: no cgroup at ${full}`, ExitCode.usage);
  }
  // Any directory has an inode: only one of the cgroup2 file system is a cgroup id.
  if (statfsSync(full).type !== CGROUP2_SUPER_MAGIC) {
    throw new UserError(`--cgroup: ${full} is not a cgroup v2 directory (see: mount -t cgroup2)`, ExitCode.usage);
  }
  return ino;
}

function processExists(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
}

function parseSeconds(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new UserError(`${what}: expected seconds > 0, got "${text}"`, ExitCode.usage);
  return n;
}

export function timing(flags: TargetFlags): { duration?: number; interval?: number } {
  return { duration: parseSeconds(flags.duration, '--duration'), interval: parseSeconds(flags.interval, '--interval') };
}

/** Resolves the target flags. A command is spawned held at its gate so nothing is missed. */
export async function resolveTarget(
  flags: TargetFlags,
  command: string[],
  toolFlags = 0,
  quietChild = false,
): Promise<Target> {
  installSignalHandlers();
  const given = [flags.pid !== undefined, command.length > 0].filter(Boolean).length;
  if (given > 1) throw new UserError('give either -p PID or -- COMMAND, not both', ExitCode.usage);
  const filter: BpfFilter = {
    filterPids: false,
    followChildren: false,
    cgroupId: flags.cgroup ? cgroupId(flags.cgroup) : 0n,
    comm: flags.comm ?? '',
    flags: toolFlags,
  };
  const parts: string[] = [];
  if (flags.comm) parts.push(`comm ${flags.comm}`);
  if (flags.cgroup) parts.push(`cgroup ${flags.cgroup}`);
  if (flags.pid !== undefined) {
    const pid = Number(flags.pid);
    if (!Number.isInteger(pid) || pid <= 0) throw new UserError(`-p: not a pid: "${flags.pid}"`, ExitCode.usage);
    if (!processExists(pid)) throw new UserError(`no process ${pid}`, ExitCode.noSuchProcess);
    filter.filterPids = true;
    return { filter, followPid: pid, describe: [`pid ${pid}`, ...parts].join(', ') };
  }
  if (command.length > 0) {
    filter.filterPids = true;
    filter.followChildren = true;
    const child = await spawnGated(command, quietChild);
    return { filter, followPid: child.pid, child, describe: [`command ${command.join(' ')}`, ...parts].join(', ') };
  }
  return { filter, describe: parts.length > 0 ? parts.join(', ') : 'system-wide' };
}

function whichPath(cmd: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const full = resolve(dir || '.', cmd);
    try {
      if (statSync(full).isFile()) return full;
    } catch {
      // next
    }
  }
  throw new UserError(`${cmd}: command not found`, 127);
}

/**
 * Spawns the command behind oslens-gate, which waits for a byte on fd 3 before it execs the
 * command (argv[0] as given). If oslens dies first, the gate sees end-of-file and runs nothing;
 * its parent-death signal ends the command with oslens. Never a stopped process.
 */
async function spawnGated(command: string[], quiet: boolean): Promise<ChildProcess> {
  // Resolved here, so the traced exec is the command's own (no PATH search after the gate).
  const [file, ...rest] = command as [string, ...string[]];
  const path = file.includes('/') ? file : whichPath(file);
  const child = spawn(resolve(BUILD_DIR, 'oslens-gate'), [path, file, ...rest], {
    // With --json our stdout is the document: the command's output goes to stderr.
    stdio: ['inherit', quiet ? process.stderr : 'inherit', 'inherit', 'pipe'],
  });
  await new Promise<void>((ok, fail) => {
    child.once('spawn', ok);
    child.once('error', (err) => fail(new UserError(`cannot run ${file}: ${err.message}`)));
  });
  // An early end of the gate is seen through 'exit'; the socket's own errors do not matter.
  (child.stdio[3] as Writable).on('error', () => undefined);
  return child;
}

/** The command's exit status as a shell reports it (128 + signal when killed). */
function statusOf(child: ChildProcess): number | undefined {
  if (child.exitCode !== null) return child.exitCode;
  if (child.signalCode !== null) return 128 + (constants.signals[child.signalCode] ?? 0);
  return undefined;
}

/**
 * The exit status of an eBPF command: 130 when interrupted, else the status of the command it
 * ran (127 when it could not be started), else 0.
 */
export function exitStatus(target: Target, why: StopReason): number {
  if (why === 'interrupted') return ExitCode.interrupted;
  if (target.child && why === 'command-exited') return statusOf(target.child) ?? 0;
  return 0;
}

const started = new WeakSet<ChildProcess>();

export type StopReason = 'duration' | 'interrupted' | 'command-exited';

/**
 * Starts the target (adds the pid to the followed set, resumes the command) and waits for the
 * end: --duration, the command's exit, or SIGINT/SIGTERM. Calls `onInterval` every --interval.
 */
export async function runSession(
  session: BpfSession,
  target: Target,
  opts: { duration?: number; interval?: number; onInterval?: () => void },
): Promise<StopReason> {
  if (target.followPid !== undefined) session.follow(target.followPid, target.child !== undefined);
  return new Promise<StopReason>((done) => {
    const timers: NodeJS.Timeout[] = [];
    let finished = false;
    const finish = (why: StopReason) => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      done(why);
    };
    // Signal handlers do not keep Node alive: this timer does, until the end.
    timers.push(setInterval(() => undefined, 60_000));
    whenInterrupted(() => finish('interrupted'));
    if (opts.duration !== undefined) timers.push(setTimeout(() => finish('duration'), opts.duration * 1000));
    if (opts.interval !== undefined && opts.onInterval) {
      const every = opts.onInterval;
      timers.push(setInterval(every, opts.interval * 1000));
    }
    const child = target.child;
    if (child && !finished) {
      if (child.exitCode !== null || child.signalCode !== null) finish('command-exited');
      else child.on('exit', () => finish('command-exited'));
      // The command waits at its gate: let it go now that everything is attached.
      if (!finished) {
        (child.stdio[3] as Writable).end('g');
        started.add(child);
      }
    }
  });
}

/**
 * Opens the probes for `target` (`open` loads and attaches them); when that throws, the
 * command started for the target is ended too, then the error goes on.
 */
export function openFor<T>(target: Target, open: () => T): T {
  try {
    return open();
  } catch (err) {
    endTarget(target, 'interrupted');
    throw err;
  }
}

/** The spawned command (if any) must not outlive an interrupted oslens. */
export function endTarget(target: Target, why: StopReason): void {
  const child = target.child;
  if (!child) return;
  // Still at its gate: closing fd 3 makes it exit without running anything.
  if (!started.has(child)) (child.stdio[3] as Writable).destroy();
  if (why === 'command-exited' || child.exitCode !== null || child.signalCode !== null) return;
  child.kill(started.has(child) ? 'SIGTERM' : 'SIGKILL');
}

/** Waits for the spawned command (if any) to be reaped, so its exit status is known. */
export async function reaped(target: Target): Promise<void> {
  const child = target.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((r) => child.once('exit', r));
}
