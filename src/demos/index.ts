/** Every demo, in the order of the classic mistakes (lessons/mistakes). */
import { cpuThrottle } from './cpu-throttle.js';
import { e2big } from './e2big.js';
import { eventLoopBlock } from './event-loop-block.js';
import { forkCow } from './fork-cow.js';
import { fsyncRename } from './fsync-rename.js';
import { getrandomDemo } from './getrandom.js';
import { mmapVsRead } from './mmap-vs-read.js';
import { threadCost } from './thread-cost.js';
import { threadCrash } from './thread-crash.js';
import { tmpfsRam } from './tmpfs-ram.js';
import { loadD } from './load-d.js';
import { oomDemo } from './oom.js';
import { sigtermDemo } from './sigterm.js';
import { withCleanup } from './cleanup.js';
import type { Demo, DemoResult } from './types.js';

export const DEMOS: readonly Demo[] = [
  forkCow,
  threadCost,
  eventLoopBlock,
  cpuThrottle,
  fsyncRename,
  getrandomDemo,
  e2big,
  mmapVsRead,
  tmpfsRam,
  threadCrash,
  loadD,
  sigtermDemo,
  oomDemo,
];

export const DEMO_IDS = DEMOS.map((d) => d.id);

export function findDemo(id: string): Demo | undefined {
  return DEMOS.find((d) => d.id === id);
}

/** Runs one demo with guaranteed cleanup (also on SIGINT); a cleanup failure is reported in notes. */
export async function runDemo(demo: Demo, opts: { quick: boolean; log: (line: string) => void }): Promise<DemoResult> {
  return withCleanup(async (cleanup) => {
    const r = await demo.run({ cleanup, quick: opts.quick, log: opts.log });
    cleanup.runAll();
    const notes = [...r.notes, ...cleanup.failures.map((f) => `cleanup failed: ${f}`)];
    return { id: demo.id, claim: demo.claim, ...r, notes };
  });
}
