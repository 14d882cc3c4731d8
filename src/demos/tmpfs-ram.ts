/** /tmp on tmpfs eats RAM: detect it, then show Shmem grow on a small tmpfs of our own. */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Demo, Measurement } from './types.js';
import { SCRATCH_PREFIX } from './helper.js';
import { mountOf, readMounts } from './mounts.js';

function shmemKiB(): number {
  const m = /^Shmem:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

export const tmpfsRam: Demo = {
  id: 'tmpfs-ram',
  title: '/tmp on tmpfs eats RAM',
  mistake: 'tmp-on-tmpfs',
  models: ['virtual-memory', 'page-cache'],
  claim:
    'A file on tmpfs is held in RAM (Shmem in /proc/meminfo) for as long as it exists; where /tmp is tmpfs, big temporary files are memory, not disk.',
  async run(ctx) {
    const tmpMount = mountOf('/tmp', readMounts());
    const tmpIs = tmpMount ? `${tmpMount.fsType} (mounted at ${tmpMount.mountPoint})` : 'unknown';
    const tmpIsTmpfs = tmpMount?.fsType === 'tmpfs';
    const m: Measurement[] = [{ label: '/tmp on this machine is', value: tmpIs }];
    const notes = [
      tmpIsTmpfs
        ? '/tmp here IS tmpfs: whatever you write there is RAM. Large scratch files belong in /var/tmp or a disk path.'
        : `/tmp here is ${tmpMount?.fsType ?? 'unknown'}, not tmpfs, so this machine is safe from this mistake; many distributions (Fedora, Arch, Debian 13, systemd defaults) mount /tmp as tmpfs.`,
    ];
    if (process.getuid?.() !== 0) {
      return {
        status: 'skipped',
        reason: 'mounting a tmpfs needs root (CAP_SYS_ADMIN); run `sudo oslens demo tmpfs-ram` to see Shmem grow',
        measurements: m,
        holds: null,
        verdict: `Only detected what /tmp is: ${tmpIs}.`,
        notes,
      };
    }
    const mib = ctx.quick ? 32 : 64;
    const dir = mkdtempSync(join('/var/tmp', SCRATCH_PREFIX));
    ctx.cleanup.add(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const mount = spawnSync(
      'mount',
      ['-t', 'tmpfs', '-o', `size=${mib * 2}m,mode=700`, `${SCRATCH_PREFIX}tmpfs`, dir],
      {
        encoding: 'utf8',
      },
    );
    if (mount.status !== 0) {
      return {
        status: 'skipped',
        reason: `mount -t tmpfs failed: ${(mount.stderr || mount.error?.message || '').trim()}`,
        measurements: m,
        holds: null,
        verdict: `Only detected what /tmp is: ${tmpIs}.`,
        notes,
      };
    }
    let mounted = true;
    ctx.cleanup.add(`unmount ${dir}`, () => {
      if (mounted) spawnSync('umount', ['-l', dir]);
    });
    ctx.log(`mounted a ${mib * 2} MiB tmpfs at ${dir}; writing ${mib} MiB`);
    const before = shmemKiB();
    const file = join(dir, 'scratch.bin');
    const fd = openSync(file, 'w');
    const block = Buffer.alloc(1 << 20, 1);
    for (let i = 0; i < mib; i++) writeSync(fd, block);
    closeSync(fd);
    const after = shmemKiB();
    unlinkSync(file);
    const deleted = shmemKiB();
    const um = spawnSync('umount', [dir]);
    if (um.status === 0) mounted = false;
    rmdirSync(dir);
    const grew = (after - before) / 1024;
    m.push(
      { label: 'Shmem before', value: before, unit: 'KiB' },
      { label: `Shmem after writing ${mib} MiB`, value: after, unit: 'KiB' },
      { label: 'growth', value: Math.round(grew * 10) / 10, unit: 'MiB' },
      { label: 'Shmem after deleting the file', value: deleted, unit: 'KiB' },
    );
    return {
      status: 'done',
      measurements: m,
      holds: grew > mib * 0.8,
      verdict: `writing ${mib} MiB to tmpfs raised Shmem by ${Math.round(grew)} MiB of RAM, and deleting the file gave it back; no disk was involved.`,
      notes,
    };
  },
};
