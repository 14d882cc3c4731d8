/**
 * Writing the files oslens keeps or is asked for (~/.oslens/last-bench.json, --save, -o) without
 * following links a local user planted: oslens often runs as root with a user's HOME, or writes
 * into /tmp. A file is written to a fresh temporary name in its own directory (O_EXCL|O_NOFOLLOW)
 * and renamed over the target, which replaces a planted symlink instead of writing through it.
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError, errnoCode } from './errors.js';

const errText = (err: unknown) => errnoCode(err) ?? (err instanceof Error ? err.message : String(err));

/**
 * mkdir -p, one level at a time. (Node's recursive mkdirSync retries forever when mkdir says
 * ENOENT under a parent that exists, as in /proc: `OSLENS_HOME=/proc/nope` spun at 100% CPU.)
 */
export function makeDirs(dir: string, mode = 0o700): void {
  const path = resolve(dir);
  try {
    mkdirSync(path, { mode });
    return;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return;
    const parent = dirname(path);
    if (errnoCode(err) !== 'ENOENT' || parent === path) throw err;
    makeDirs(parent, mode);
  }
  try {
    mkdirSync(path, { mode });
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
  }
}

/**
 * The directory oslens keeps its own files in (OSLENS_HOME, ~/.oslens): made if missing; refused
 * (a one-line UserError) when it is a symlink, not a directory, or owned by another user.
 */
export function ownDirectory(dir: string): void {
  try {
    makeDirs(dir);
  } catch (err) {
    throw new UserError(`cannot create ${dir}: ${errText(err)} (set OSLENS_HOME to a directory of yours)`);
  }
  const st = lstatSync(dir);
  if (st.isSymbolicLink())
    throw new UserError(`refusing ${dir}: it is a symbolic link (set OSLENS_HOME to a directory of yours)`);
  if (!st.isDirectory())
    throw new UserError(`refusing ${dir}: not a directory (set OSLENS_HOME to a directory of yours)`);
  const me = process.geteuid?.() ?? st.uid;
  if (st.uid !== me) {
    throw new UserError(
      `refusing ${dir}: it belongs to uid ${st.uid}, not to uid ${me} (set OSLENS_HOME to a directory of yours)`,
    );
  }
}

/** Checks, before any work, that `file` can be written: its directory exists and it is no directory. */
export function checkWritable(file: string, what: string): void {
  const dir = dirname(resolve(file));
  let st;
  try {
    st = statSync(dir);
  } catch (err) {
    const why = errnoCode(err) === 'ENOENT' ? `no directory ${dir}` : `${dir}: ${errText(err)}`;
    throw new UserError(`${what}: cannot write ${file}: ${why}`);
  }
  if (!st.isDirectory()) throw new UserError(`${what}: cannot write ${file}: ${dir} is not a directory`);
  try {
    if (statSync(file).isDirectory()) throw new UserError(`${what}: cannot write ${file}: it is a directory`);
  } catch (err) {
    if (err instanceof UserError) throw err; // absent is fine: it will be created
  }
  // The directory must take a new entry (the temporary file): try it, rather than guess from modes.
  writeFileReplacing(join(dir, `.${basename(file)}.oslens-check`), '', what, { keep: false });
}

/**
 * Writes `text` to `file` through a fresh temporary file in the same directory, renamed over it.
 * A planted symlink at `file` is replaced, never followed; on any failure the temporary file is
 * removed and a one-line UserError names the file.
 */
export function writeFileReplacing(
  file: string,
  text: string | Uint8Array,
  what = 'write',
  opts: { keep?: boolean } = {},
): void {
  const tmp = join(dirname(resolve(file)), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd = -1;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    const data =
      typeof text === 'string' ? Buffer.from(text) : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
    closeSync(fd);
    fd = -1;
    if (opts.keep !== false) renameSync(tmp, file);
  } catch (err) {
    throw new UserError(`${what}: cannot write ${file}: ${errText(err)}`);
  } finally {
    if (fd >= 0) closeSync(fd);
    rmSync(tmp, { force: true });
  }
}
