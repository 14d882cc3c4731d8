/** Facts about the machine a benchmark ran on, carried by every result set. */
import { readFileSync, readdirSync, statfsSync, accessSync, constants } from 'node:fs';
import os from 'node:os';
import { UserError, errnoCode } from '../util/errors.js';
import { readHostFacts, type DiskFacts, type HostFacts } from './host-facts.js';

export interface CacheSizes {
  l1dBytes: number;
  l2Bytes: number;
  llcBytes: number;
  /** Where the figures came from: sysfs, or defaults when sysfs had none. */
  source: 'sysfs' | 'default';
}

/**
 * The host block of a run. The facts of host-facts.ts (clocksource ... cmdline) and `disk` are
 * absent from runs saved before they were added: readers of saved runs check.
 */
export interface HostInfo extends Partial<HostFacts> {
  hostname: string;
  cpuModel: string;
  cores: number;
  kernel: string;
  arch: string;
  memoryBytes: number;
  cache: CacheSizes;
  node: string;
  date: string;
  /** The disk under the file benchmarks (the run's tmpdir). */
  disk?: DiskFacts;
}

const CACHE_DIR = '/sys/devices/system/cpu/cpu0/cache';

/** "32K" / "32768K" / "8M" (sysfs cache size notation) → bytes. */
export function parseCacheSize(text: string): number {
  const m = /^(\d+)\s*([KMG]?)/i.exec(text.trim());
  if (!m) return Number.NaN;
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m[2] ?? '').toUpperCase()] ?? 1;
  return Number(m[1]) * mult;
}

export function readCacheSizes(dir: string = CACHE_DIR): CacheSizes {
  let l1d = 0;
  let l2 = 0;
  let llc = 0;
  let llcLevel = 0;
  try {
    for (const entry of readdirSync(dir).filter((e) => e.startsWith('index'))) {
      const read = (f: string) => readFileSync(`${dir}/${entry}/${f}`, 'utf8').trim();
      const level = Number(read('level'));
      const type = read('type');
      const size = parseCacheSize(read('size'));
      if (type === 'Instruction' || !Number.isFinite(size)) continue;
      if (level === 1) l1d = size;
      if (level === 2) l2 = size;
      if (level >= llcLevel) {
        llcLevel = level;
        llc = size;
      }
    }
  } catch {
    // No sysfs cache information (some VMs, containers): fall through to defaults.
  }
  if (l1d && l2 && llc) return { l1dBytes: l1d, l2Bytes: l2, llcBytes: llc, source: 'sysfs' };
  return { l1dBytes: l1d || 32 << 10, l2Bytes: l2 || 512 << 10, llcBytes: llc || 32 << 20, source: 'default' };
}

export function readHostInfo(): HostInfo {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    cpuModel: cpus[0]?.model?.trim() || 'unknown',
    cores: cpus.length,
    kernel: os.release(),
    arch: os.arch(),
    memoryBytes: os.totalmem(),
    cache: readCacheSizes(),
    node: process.version,
    date: new Date().toISOString(),
    ...readHostFacts(),
  };
}

/** The CPUs this process may run on (Cpus_allowed_list, e.g. "0-3,6"). */
export function allowedCpus(statusText: string = readFileSync('/proc/self/status', 'utf8')): number[] {
  const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(statusText)?.[1] ?? '';
  const cpus: number[] = [];
  for (const part of line.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isFinite(a)) continue;
    for (let c = a; c <= (b ?? a); c++) cpus.push(c);
  }
  return cpus;
}

const TMPFS_MAGIC = 0x01021994;

/**
 * OSLENS_TMPDIR, when set, is what the user chose: used as is, or refused with the reason before
 * any benchmark runs (it does not exist, is not writable, or has less than `needBytes` free),
 * never silently replaced by another directory.
 */
function chosenTempDir(dir: string, needBytes: number): string {
  const refuse = (why: string): never => {
    throw new UserError(
      `OSLENS_TMPDIR=${dir}: ${why} (the file benchmarks write there; unset it to let oslens choose)`,
    );
  };
  let free: number;
  try {
    accessSync(dir, constants.W_OK);
    const fs = statfsSync(dir);
    free = fs.bavail * fs.bsize;
  } catch (err) {
    const code = errnoCode(err);
    return refuse(
      code === 'ENOENT' ? 'no such directory' : code === 'EROFS' ? 'read-only file system' : `not writable (${code})`,
    );
  }
  if (free < needBytes)
    refuse(`full: ${Math.floor(free / 2 ** 20)} MiB free, ${Math.ceil(needBytes / 2 ** 20)} MiB needed`);
  return dir;
}

/**
 * A writable directory on a real disk for the file benchmarks (tmpfs has no device behind it).
 * Falls back to the system temp dir; the benchmarks that need a disk then skip with a reason.
 */
export function diskTempDir(env: NodeJS.ProcessEnv = process.env, needBytes = 64 << 20): string {
  if (env.OSLENS_TMPDIR) return chosenTempDir(env.OSLENS_TMPDIR, needBytes);
  const candidates = [env.TMPDIR, '/var/tmp', '/tmp', process.cwd()];
  for (const dir of candidates) {
    if (!dir) continue;
    try {
      accessSync(dir, constants.W_OK);
      if (statfsSync(dir).type !== TMPFS_MAGIC) return dir;
    } catch {
      // not usable: try the next one
    }
  }
  return os.tmpdir();
}
