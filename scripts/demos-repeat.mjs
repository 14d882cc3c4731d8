#!/usr/bin/env node
// Runs each demo whose verdict comes from timing ten times (--quick) and prints the verdicts:
// a demo passes when every run gave the same verdict, or "inconclusive". Exit 1 otherwise.
//   npm run demos:repeat [-- --runs N] [-- ID ...]
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 10;
const ids = args.length ? args : ['mmap-vs-read', 'cpu-throttle', 'thread-cost', 'getrandom'];

const verdict = (r) => (r.status === 'skipped' ? 'skipped' : r.inconclusive ? 'inconclusive' : r.holds ? 'holds' : 'does not hold');
let failed = false;
for (const id of ids) {
  const seen = [];
  const started = Date.now();
  for (let i = 0; i < runs; i++) {
    const p = spawnSync(process.execPath, [resolve(root, 'bin/oslens'), 'demo', id, '--quick', '--json'], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (p.status !== 0) {
      seen.push(`error (exit ${p.status})`);
      continue;
    }
    seen.push(verdict(JSON.parse(p.stdout)));
  }
  const decided = new Set(seen.filter((v) => v !== 'inconclusive'));
  const ok = decided.size <= 1 && !seen.some((v) => v.startsWith('error'));
  failed ||= !ok;
  const counts = [...new Set(seen)].map((v) => `${v} x${seen.filter((s) => s === v).length}`).join(', ');
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${id.padEnd(14)} ${runs} runs in ${secs} s: ${counts}`);
}
process.exit(failed ? 1 : 0);
