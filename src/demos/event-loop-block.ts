/** A blocking call stalls an event loop: Node's own loop lag, measured. */
import { readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Demo } from './types.js';
import { round, scratchDir } from './helper.js';

interface Lag {
  maxMs: number;
  p99Ms: number;
  elapsedMs: number;
}

async function measure(work: () => Promise<void> | void): Promise<Lag> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  // A timer keeps the loop honest: the histogram only records delays of turns that happen.
  const tick = setInterval(() => undefined, 1);
  h.enable();
  await new Promise((r) => setTimeout(r, 20));
  const t0 = performance.now();
  await work();
  const elapsedMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 20));
  h.disable();
  clearInterval(tick);
  return { maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, elapsedMs };
}

export const eventLoopBlock: Demo = {
  id: 'event-loop-block',
  title: 'a blocking call stalls an event loop',
  mistake: 'blocking-the-event-loop',
  models: ['epoll-io-uring', 'file-descriptor'],
  claim:
    'A synchronous read on the event-loop thread stops every other callback for as long as the read takes; the asynchronous read keeps the loop turning.',
  async run(ctx) {
    const mib = ctx.quick ? 64 : 256;
    const reps = 4;
    const file = join(scratchDir(ctx.cleanup), 'big.bin');
    writeFileSync(file, Buffer.alloc(mib << 20, 7));
    readFileSync(file); // warm the page cache: both runs then read from RAM
    ctx.log(`reading a ${mib} MiB file ${reps} times with readFileSync, then with fs.promises.readFile`);
    const sync = await measure(() => {
      for (let i = 0; i < reps; i++) readFileSync(file);
    });
    const asyncRun = await measure(async () => {
      for (let i = 0; i < reps; i++) await readFile(file);
    });
    return {
      status: 'done',
      measurements: [
        { label: 'file (cached)', value: mib, unit: 'MiB' },
        { label: 'sync: total time', value: round(sync.elapsedMs), unit: 'ms' },
        { label: 'sync: worst loop lag', value: round(sync.maxMs), unit: 'ms' },
        { label: 'sync: p99 loop lag', value: round(sync.p99Ms), unit: 'ms' },
        { label: 'async: total time', value: round(asyncRun.elapsedMs), unit: 'ms' },
        { label: 'async: worst loop lag', value: round(asyncRun.maxMs), unit: 'ms' },
        { label: 'async: p99 loop lag', value: round(asyncRun.p99Ms), unit: 'ms' },
      ],
      holds: sync.maxMs > 2 * asyncRun.maxMs && sync.maxMs > 5,
      verdict: `with readFileSync the loop stood still for up to ${round(sync.maxMs)} ms (one whole read); with the async API its worst delay was ${round(asyncRun.maxMs)} ms, because the reads ran on libuv's thread pool.`,
      notes: [
        'Loop lag is sampled with perf_hooks.monitorEventLoopDelay at 1 ms resolution; every request a server holds would wait that long.',
      ],
    };
  },
};
