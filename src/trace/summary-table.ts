/** strace -c's summary table, from per-syscall counts (both engines). */

/**
 * strace -c's table (count.c): rows by time, descending, ties in syscall-number order (strace's
 * stable sort of its per-number array); seconds rounded to microseconds, usecs/call truncated,
 * errors blank when none; the `total` row under a second rule.
 */
export function renderSummary(
  rows: { name: string; nr?: number; calls: number; errors: number; seconds: number; model?: string }[],
  withModel: boolean,
): string {
  const sorted = [...rows].sort(
    (a, b) => b.seconds - a.seconds || (a.nr ?? 0) - (b.nr ?? 0) || a.name.localeCompare(b.name),
  );
  const total = sorted.reduce(
    (s, r) => ({ seconds: s.seconds + r.seconds, calls: s.calls + r.calls, errors: s.errors + r.errors }),
    { seconds: 0, calls: 0, errors: 0 },
  );
  const modelHead = withModel ? ' model' : '';
  const lines = [
    `% time     seconds  usecs/call     calls    errors syscall${withModel ? '          ' + modelHead : ''}`,
    `------ ----------- ----------- --------- --------- ----------------${withModel ? ' ------------------' : ''}`,
  ];
  const line = (pct: number, s: number, calls: number, errors: number, name: string, model?: string) => {
    const perCall = calls ? Math.floor((s * 1e6) / calls + 1e-9) : 0;
    return `${pct.toFixed(2).padStart(6)} ${s.toFixed(6).padStart(11)} ${String(perCall).padStart(11)} ${String(calls).padStart(9)} ${(errors ? String(errors) : '').padStart(9)} ${withModel ? name.padEnd(16) + ' ' + (model ?? '') : name}`;
  };
  for (const r of sorted)
    lines.push(
      line(total.seconds ? (100 * r.seconds) / total.seconds : 0, r.seconds, r.calls, r.errors, r.name, r.model),
    );
  lines.push(lines[1]!);
  lines.push(line(100, total.seconds, total.calls, total.errors, 'total'));
  return lines.join('\n') + '\n';
}
