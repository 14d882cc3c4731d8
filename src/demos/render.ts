/** A demo result as text: the claim, the measurements, the verdict beside the claim. */
import { terminalWidth, wrap } from '../lessons/text.js';
import type { Demo, DemoResult } from './types.js';

export function renderDemoList(demos: readonly Demo[]): string {
  const w = Math.max(...demos.map((d) => d.id.length));
  const lines = demos.map((d) => `  ${d.id.padEnd(w)}  ${d.title}  [${d.models.join(', ')}]`);
  return `Demos (run one with: oslens demo ID):\n${lines.join('\n')}\n`;
}

export function renderDemoResult(demo: Demo, r: DemoResult): string {
  const out: string[] = [];
  out.push(`${demo.id}: ${demo.title}`);
  out.push(`  mistake: ${demo.mistake}   models: ${demo.models.join(', ')}`);
  out.push('');
  out.push(wrap(`Claim: ${r.claim}`, terminalWidth(), '  '));
  out.push('');
  if (r.measurements.length > 0) {
    out.push('  Measured on this machine:');
    const w = Math.max(...r.measurements.map((m) => m.label.length));
    for (const m of r.measurements) out.push(`    ${m.label.padEnd(w)}  ${m.value}${m.unit ? ` ${m.unit}` : ''}`);
    out.push('');
  }
  if (r.status === 'skipped') out.push(wrap(`Result: SKIPPED - ${r.reason ?? ''}`, terminalWidth(), '  '));
  const tag = r.inconclusive
    ? 'INCONCLUSIVE HERE - '
    : r.holds === null
      ? ''
      : r.holds
        ? 'HOLDS - '
        : 'DID NOT HOLD HERE - ';
  out.push(wrap(`${r.status === 'skipped' ? '' : 'Result: '}${tag}${r.verdict}`, terminalWidth(), '  '));
  for (const n of r.notes) out.push(wrap(`note: ${n}`, terminalWidth(), '  '));
  return `${out.join('\n')}\n`;
}
