/**
 * What an eBPF command watches: the whole system, `-p PID`, `--comm NAME`, `--cgroup PATH`, or
 * `-- CMD` (run a command and follow it and its children), and the loop that runs until
 * --duration, the command's exit, or Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
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
  /** The spawned command, stopped until `release()`. */
  child?: ChildProcess;
  describe: string;
}

const CGROUP_ROOT = '/sys/fs/cgroup';

/** A cgroup v2 id is the inode number of its directory in the cgroup2 file system. */
export function cgroupId(path: string): bigint {
  const full = isAbsolute(path) ? path : resolve(CGROUP_ROOT, path);
  try {
    return statSync(full, { bigint: true }).ino;
  } catch {
    throw new UserError(`--cgroup: no cgroup at ${full}`, ExitCode.usage);
  }
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

/** Resolves the target flags. A command is spawned stopped (SIGSTOP) so nothing is missed. */
export async function resolveTarget(
  flags: TargetFlags,
  command: string[],
  toolFlags = 0,
  quietChild = false,
): Promise<Target> {
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
    const child = await spawnStopped(command, quietChild);
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

/** Spawns `sh -c 'kill -STOP $$; exec CMD'` and waits until it is stopped. */
async function spawnStopped(command: string[], quiet: boolean): Promise<ChildProcess> {
  // Resolved here, so the traced exec is the command's own (no PATH search by the shell).
  const [file, ...rest] = command as [string, ...string[]];
  const path = file.includes('/') ? file : whichPath(file);
  const child = spawn('/bin/sh', ['-c', 'kill -STOP $$ && exec "$@"', 'oslens', path, ...rest], {
    // With --json our stdout is the document: the command's output goes to stderr.
    stdio: ['inherit', quiet ? process.stderr : 'inherit', 'inherit'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new UserError(`cannot run ${command[0]}`);
  const deadline = Date.now() + 5000;
  for (;;) {
    let state = '';
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch {
      throw new UserError(`${command[0]}: exited before it could be followed`);
    }
    if (state === 'T') return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new UserError(`${command[0]}: did not start`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
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
  if (target.followPid !== undefined) session.follow(target.followPid);
  return new Promise<StopReason>((done) => {
    const timers: NodeJS.Timeout[] = [];
    let finished = false;
    const finish = (why: StopReason) => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      done(why);
    };
    // Signal handlers do not keep Node alive: this timer does, until the end.
    timers.push(setInterval(() => undefined, 60_000));
    const onSignal = () => finish('interrupted');
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (opts.duration !== undefined) timers.push(setTimeout(() => finish('duration'), opts.duration * 1000));
    if (opts.interval !== undefined && opts.onInterval) {
      const every = opts.onInterval;
      timers.push(setInterval(every, opts.interval * 1000));
    }
    const child = target.child;
    if (child) {
      if (child.exitCode !== null || child.signalCode !== null) finish('command-exited');
      else child.on('exit', () => finish('command-exited'));
      // The command is stopped at its start: let it go now that everything is attached.
      if (child.pid !== undefined) process.kill(child.pid, 'SIGCONT');
      started.add(child);
    }
  });
}

/** The spawned command (if any) must not outlive an interrupted oslens. */
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

export function endTarget(target: Target, why: StopReason): void {
  const child = target.child;
  if (!child || why === 'command-exited' || child.exitCode !== null || child.signalCode !== null) return;
  // A command still stopped at its start would keep a SIGTERM pending forever.
  child.kill(started.has(child) ? 'SIGTERM' : 'SIGKILL');
  if (child.pid !== undefined) process.kill(child.pid, 'SIGCONT');
}
