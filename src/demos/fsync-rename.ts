/** write() without fsync, and rename without a directory fsync: the safe replace, timed. */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Demo, Measurement } from './types.js';
import { round, scratchDir } from './helper.js';

function dirtyKiB(): number {
  const m = /^Dirty:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function timed(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e3; // µs
}

export const fsyncRename: Demo = {
  id: 'fsync-rename',
  title: 'write() without fsync, rename without a directory fsync',
  mistake: 'fsync',
  models: ['page-cache', 'file-descriptor'],
  claim:
    'write() returns once the bytes are in the page cache; only fsync puts them on the device, and a rename survives a crash only after the directory is fsynced too.',
  async run(ctx) {
    const dir = scratchDir(ctx.cleanup);
    const target = join(dir, 'config.json');
    writeFileSync(target, '{"version":1}\n');
    const dfd0 = openSync(dir, 'r');
    fsyncSync(dfd0);
    closeSync(dfd0);
    const mib = ctx.quick ? 8 : 32;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const tmp = join(dir, 'config.json.tmp');
    const dirty0 = dirtyKiB();
    const fd = openSync(tmp, 'w');
    ctx.log(`writing ${mib} MiB to ${tmp} in 64 KiB writes`);
    const writeUs = timed(() => {
      for (let i = 0; i < mib * 16; i++) writeSync(fd, chunk);
    });
    const dirty1 = dirtyKiB();
    const fsyncUs = timed(() => fsyncSync(fd));
    const dirty2 = dirtyKiB();
    closeSync(fd);
    const renameUs = timed(() => renameSync(tmp, target));
    const dfd = openSync(dir, 'r');
    const dirFsyncUs = timed(() => fsyncSync(dfd));
    closeSync(dfd);
    const m: Measurement[] = [
      { label: `write() x ${mib * 16} (64 KiB each), total`, value: round(writeUs / 1000, 2), unit: 'ms' },
      { label: 'Dirty in /proc/meminfo after the writes', value: `+${dirty1 - dirty0}`, unit: 'KiB' },
      { label: 'fsync(file)', value: round(fsyncUs / 1000, 2), unit: 'ms' },
      { label: 'Dirty after fsync', value: `${dirty2 - dirty0 >= 0 ? '+' : ''}${dirty2 - dirty0}`, unit: 'KiB' },
      { label: 'rename(tmp, target)', value: round(renameUs, 1), unit: 'µs' },
      { label: 'fsync(directory)', value: round(dirFsyncUs / 1000, 2), unit: 'ms' },
    ];
    return {
      status: 'done',
      measurements: m,
      holds: fsyncUs > writeUs / (mib * 16),
      verdict: `each 64 KiB write cost ${round(writeUs / (mib * 16), 1)} µs (a copy into the page cache) while fsync took ${round(fsyncUs / 1000, 2)} ms waiting for the device; the rename took ${round(renameUs, 1)} µs and became durable only with the ${round(dirFsyncUs / 1000, 2)} ms directory fsync.`,
      notes: [
        'After the writes: a crash loses the data (only the page cache has it). After fsync(file): the data is safe under the temporary name. After rename: the new name exists in memory only; a crash can bring back the old file. After fsync(directory): the replacement is durable.',
        'Dirty counts the whole system, so other writers can move it; on a VM, the host may also cache what the guest believes is on disk.',
      ],
    };
  },
};
