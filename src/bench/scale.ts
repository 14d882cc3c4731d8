/** The log scale every bench view draws on (0.1 ns .. 1 s): the table's bars and the live view's. */

export const AXIS_MIN_NS = 0.1;
export const AXIS_DECADES = 10;

/** Cell (0..width) where `ns` falls on the log axis. */
export function logPosition(ns: number, width: number): number {
  if (!(ns > 0)) return 0;
  const decades = Math.log10(ns / AXIS_MIN_NS);
  return Math.max(0, Math.min(width, Math.round((decades / AXIS_DECADES) * width)));
}

/**
 * Axis labels (1ns, 1µs, 1ms, 1s) placed on a line `width` cells long; on a short axis a label
 * that would touch the one before it is left out ("1ns   1ms", never "1ns1µs1ms1s").
 */
export function axisLabels(width: number): string {
  const cells = Array.from({ length: width + 3 }, () => ' ');
  let free = 0;
  for (const [ns, label] of [
    [1, '1ns'],
    [1e3, '1µs'],
    [1e6, '1ms'],
    [1e9, '1s'],
  ] as const) {
    const at = Math.min(width, logPosition(ns, width));
    if (at < free) continue;
    for (let i = 0; i < label.length; i++) cells[at + i] = label[i] as string;
    free = at + label.length + 1;
  }
  return cells.join('').trimEnd();
}
