/**
 * The proc collector against /proc itself: after a scrape, every idle child's counters are what
 * the kernel says. Status (the switch counts) is re-read only when schedstat moved, so a wrong
 * schedstat reading shows up as a switch count stuck at an old value.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcCollector } from '../../src/export/collectors/proc.js';

const SLEEPS = 50;
const CHILD = `
import sys, time
sys.stdout.write('ready\\n'); sys.stdout.flush()
sys.stdin.readline()
for _ in range(${SLEEPS}):
    time.sleep(0.001)
sys.stdout.write('done\\n'); sys.stdout.flush()
sys.stdin.readline()
`;

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function start(): { child: ChildProcess; said: (what: string) => Promise<void> } {
  const child = spawn('/usr/bin/python3', ['-c', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const said = (what: string) =>
    new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const poll = () =>
        out.includes(what) ? resolve() : Date.now() - t0 > 20_000 ? reject(new Error(what)) : setTimeout(poll, 10);
      poll();
    });
  return { child, said };
}

const voluntary = (pid: number) =>
  Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

function exported(c: ProcCollector, pid: number): number | undefined {
  const family = c.collect().find((f) => f.name === 'oslens_process_voluntary_context_switches');
  return family?.samples.find((s) => s.labels.pid === String(pid))?.value;
}

describe('export proc collector', () => {
  it('idle children: the switch counts after their sleeps are the kernel figures, scrape after scrape', async () => {
    // Sixteen children sit at sixteen places in the scrape's batches (the bug this guards against
    // read schedstat bytes another batch had overwritten: right or wrong depended on the place).
    const kids = Array.from({ length: 16 }, start);
    await Promise.all(kids.map((k) => k.said('ready')));
    const c = new ProcCollector(100_000);
    for (let i = 0; i < 3; i++) c.collect(); // steady state: the batch buffers are reused
    for (const k of kids) k.child.stdin!.write('go\n');
    await Promise.all(kids.map((k) => k.said('done')));
    await new Promise((r) => setTimeout(r, 50)); // each is blocked on stdin now
    for (let round = 0; round < 3; round++) {
      const got = kids.map((k) => exported(c, k.child.pid!));
      const want = kids.map((k) => voluntary(k.child.pid!));
      expect(got).toEqual(want);
      for (const w of want) expect(w).toBeGreaterThanOrEqual(SLEEPS);
    }
    c.close();
  });
});
