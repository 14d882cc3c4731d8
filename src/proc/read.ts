/**
 * Thin readers for /proc: the only code here that touches the file system. /proc is racy (a
 * process can exit between any two reads), so every error is turned into something a user can
 * act on: ENOENT/ESRCH → "no such process N" or, once read, "process N exited" (exit 3), EACCES/EPERM → "permission denied" (exit 4,
 * or per field with `readField`).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import { ExitCode, UserError, errnoCode } from '../util/errors.js';

export type Pid = number;

/** Pids something was read of (this run): only those can be said to have exited. */
const seen = new Set<Pid>();

/**
 * The process (or thread) is not there: "no such process N" when nothing of it was ever read
 * (it may never have existed), "process N exited" when it vanished after we read some of it.
 */
export class ProcessGoneError extends UserError {
  constructor(readonly pid: Pid) {
    super(
      seen.has(pid) ? `process ${pid} exited while being read` : `no such process ${pid} (nothing at /proc/${pid})`,
      ExitCode.noSuchProcess,
    );
    this.name = 'ProcessGoneError';
  }
}

/**
 * Why /proc/PID/FILE was refused. Another user's process: ownership. Our own (or we are root):
 * the kernel's ptrace access check (PTRACE_MODE_READ guards smaps, fd/, ns/, exe, environ...):
 * the process is not dumpable (setuid, prctl), lives in another user namespace, or Yama or an
 * LSM said no.
 */
function refusalReason(pid: Pid): string {
  const me = process.geteuid?.() ?? -1;
  let owner: number | undefined;
  try {
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    owner = uid === undefined ? undefined : Number(uid);
  } catch {
    // gone or hidden: say what we know
  }
  if (owner !== undefined && me !== 0 && owner !== me)
    return `process ${pid} belongs to another user (uid ${owner}): run as that user or as root`;
  return (
    `refused by the kernel's ptrace access check (PTRACE_MODE_READ), ${me === 0 ? 'even for root' : 'even for its owner'}: ` +
    'the process is not dumpable, runs in another user namespace, or a security module (Yama, an LSM) denies it'
  );
}

export class ProcPermissionError extends UserError {
  constructor(
    readonly pid: Pid,
    readonly file: string,
  ) {
    super(`permission denied reading /proc/${pid}/${file}: ${refusalReason(pid)}`, ExitCode.permissionDenied);
    this.name = 'ProcPermissionError';
  }
}

/** A field that could not be read: shown as such, never fatal. */
export interface FieldError {
  error: 'permission denied' | 'unavailable';
}

export type Field<T> = T | FieldError;

export function isFieldError(x: unknown): x is FieldError {
  return typeof x === 'object' && x !== null && 'error' in x && Object.keys(x).length === 1;
}

/** Parses a PID argument: a usage error (exit 2) unless it is a positive decimal integer. */
export function parsePid(text: string): Pid {
  const t = text.trim();
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 2 ** 22) {
    throw new UserError(`"${text}" is not a process id (a positive whole number, e.g. 1234)`, ExitCode.usage);
  }
  return Number(t);
}

export function procPath(pid: Pid, file: string): string {
  return file === '' ? `/proc/${pid}` : `/proc/${pid}/${file}`;
}

/** An entry inside a live process vanished (an fd closed, a thread exited) or is not provided. */
export class EntryGoneError extends UserError {
  constructor(pid: Pid, file: string) {
    super(`/proc/${pid}/${file} is gone or not provided by this kernel`);
    this.name = 'EntryGoneError';
  }
}

function translate(err: unknown, pid: Pid, file: string): never {
  const code = errnoCode(err);
  if (code === 'ENOENT' || code === 'ESRCH') {
    if (file !== '' && existsSync(procPath(pid, ''))) throw new EntryGoneError(pid, file);
    throw new ProcessGoneError(pid);
  }
  if (code === 'EACCES' || code === 'EPERM') throw new ProcPermissionError(pid, file);
  // A file the kernel does not provide (config option off), or a read error on a dying process.
  if (code === 'EINVAL' || code === 'EIO' || code === 'ENXIO') {
    if (!existsSync(procPath(pid, ''))) throw new ProcessGoneError(pid);
  }
  throw err;
}

/** Reads /proc/PID/FILE as text, or throws ProcessGoneError / ProcPermissionError. */
export function readProcText(pid: Pid, file: string): string {
  try {
    const text = readFileSync(procPath(pid, file), 'utf8');
    seen.add(pid);
    return text;
  } catch (err) {
    translate(err, pid, file);
  }
}

export function readProcBuffer(pid: Pid, file: string): Buffer {
  try {
    const buf = readFileSync(procPath(pid, file));
    seen.add(pid);
    return buf;
  } catch (err) {
    translate(err, pid, file);
  }
}

export function readProcLink(pid: Pid, file: string): string {
  try {
    return readlinkSync(procPath(pid, file));
  } catch (err) {
    translate(err, pid, file);
  }
}

export function listProcDir(pid: Pid, dir: string): string[] {
  try {
    return readdirSync(procPath(pid, dir));
  } catch (err) {
    translate(err, pid, dir);
  }
}

/**
 * Reads one optional field: permission denied and "not provided" become a FieldError; the process
 * vanishing still throws ProcessGoneError (the caller decides whether that drops the process).
 */
export function readField<T>(read: () => T): Field<T> {
  try {
    return read();
  } catch (err) {
    if (err instanceof ProcessGoneError) throw err;
    if (err instanceof ProcPermissionError) return { error: 'permission denied' };
    if (err instanceof UserError) return { error: 'unavailable' };
    const code = errnoCode(err);
    if (code === 'EACCES' || code === 'EPERM') return { error: 'permission denied' };
    if (code === 'ENOENT' || code === 'ESRCH' || code === 'EINVAL' || code === 'EIO') return { error: 'unavailable' };
    throw err;
  }
}

/** Reads a system-wide /proc file (loadavg, meminfo, pressure/cpu...); undefined when absent. */
export function readSystemText(file: string): string | undefined {
  try {
    return readFileSync(`/proc/${file}`, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'EOPNOTSUPP' || code === 'EACCES' || code === 'EPERM') return undefined;
    throw err;
  }
}

/** Every PID now in /proc (numeric entries only; a snapshot, stale the moment it is taken). */
export function listPids(): Pid[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

/** Opens /proc/PID/FILE for positioned reads (pagemap). */
export function openProc(pid: Pid, file: string): number {
  try {
    return openSync(procPath(pid, file), 'r');
  } catch (err) {
    translate(err, pid, file);
  }
}

export { closeSync, readSync };
