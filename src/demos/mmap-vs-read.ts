/** mmap vs read for a sequential scan of a large file, cold and warm cache. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Demo, Measurement } from './types.js';
import { num, round, runHelper, scratchDir } from './helper.js';
import { mountOf, readMounts } from './mounts.js';

interface Scan {
  mibPerS: number;
  ms: number;
  minflt: number;
  majflt: number;
}

export const mmapVsRead: Demo = {
  id: 'mmap-vs-read',
  title: 'mmap vs read for a sequential large file',
  mistake: 'mmap-is-not-faster',
  models: ['page-cache', 'virtual-memory'],
  claim:
    'For one sequential pass over a large file, mmap is not automatically faster than read(): it trades a copy for page faults, and cold pages still wait for the disk.',
  async run(ctx) {
    const mib = ctx.quick ? 64 : 256;
    const dir = scratchDir(ctx.cleanup);
    const fs = mountOf(dir, readMounts())?.fsType ?? 'unknown';
    const file = join(dir, 'scan.bin');
    ctx.log(`writing a ${mib} MiB file on ${fs}`);
    const fd = openSync(file, 'w');
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < mib; i++) {
      block.fill(i & 0xff);
      writeSync(fd, block);
    }
    closeSync(fd);
    const scan = (how: string, cache: string): Scan => {
      ctx.log(`scan with ${how}, ${cache} cache`);
      const kv = runHelper(['scan', how, file, cache], 120_000).kv;
      const ns = num(kv, 'ns');
      return { ms: ns / 1e6, mibPerS: mib / (ns / 1e9), minflt: num(kv, 'minflt'), majflt: num(kv, 'majflt') };
    };
    const runs = {
      'read, cold': scan('read', 'cold'),
      'mmap, cold': scan('mmap', 'cold'),
      'read, warm': scan('read', 'warm'),
      'mmap, warm': scan('mmap', 'warm'),
    };
    const m: Measurement[] = [{ label: 'file', value: `${mib} MiB on ${fs}` }];
    for (const [name, r] of Object.entries(runs)) {
      m.push({
        label: `${name}`,
        value: `${round(r.mibPerS, 0)} MiB/s  (${round(r.ms, 1)} ms, ${r.minflt} minor / ${r.majflt} major faults)`,
      });
    }
    const warmRead = runs['read, warm'];
    const warmMmap = runs['mmap, warm'];
    const coldRead = runs['read, cold'];
    const coldMmap = runs['mmap, cold'];
    const mmapAlwaysWins = warmMmap.mibPerS > warmRead.mibPerS * 1.5 && coldMmap.mibPerS > coldRead.mibPerS * 1.5;
    return {
      status: 'done',
      measurements: m,
      holds: !mmapAlwaysWins,
      verdict: `cold: read ${round(coldRead.mibPerS, 0)} MiB/s vs mmap ${round(coldMmap.mibPerS, 0)} MiB/s; warm: read ${round(warmRead.mibPerS, 0)} vs mmap ${round(warmMmap.mibPerS, 0)} MiB/s. mmap paid ${warmMmap.minflt} faults for what read did in ${Math.ceil(mib)} syscalls of 1 MiB.`,
      notes: [
        "Cold means the file's pages were dropped with posix_fadvise(POSIX_FADV_DONTNEED) first; in a VM the host may still cache the disk image, which flatters both cold runs.",
        'Fault-around maps up to 16 cached pages per fault, so warm mmap takes far fewer faults than pages; a cold scan also waits for readahead.',
      ],
    };
  },
};
