/**
 * The views without a terminal: plain text lines from the same view models the dashboards draw
 * (piped output, CI, --once). Pure functions. Names, command lines and paths are escaped for a
 * terminal here (the dashboards draw these same lines); the models and their JSON stay exact.
 */
import { formatBytes } from '../proc/format.js';
import { escapeForTerminal as esc } from '../util/terminal.js';
import type { ProcessRateRow, ProcessSortKey } from './collect/processes.js';
import { PLAIN_COLUMNS, columnsHeader, columnsLine, num } from './process-columns.js';
import type { TopModel } from './collect/top.js';
import { regionName, type RegionRow, type WatchModel } from './collect/watch.js';

export { num };
export const pct = (n: number): string => `${n.toFixed(1)}%`;
const clock = (iso: string) => iso.slice(11, 19);

/** One line per refresh: the system at a glance and the busiest process. */
export function topPlainLine(m: TopModel): string {
  const s = m.system;
  const t = s.total;
  const load = s.load
    ? `load ${s.load.load1.toFixed(2)} ${s.load.load5.toFixed(2)} ${s.load.load15.toFixed(2)}`
    : 'load ?';
  const psi = s.pressure
    ? ` | psi cpu ${s.pressure.cpu?.toFixed(2) ?? '-'} mem ${s.pressure.memory?.toFixed(2) ?? '-'} io ${s.pressure.io?.toFixed(2) ?? '-'}`
    : '';
  const top = m.processes[0];
  const mem = s.memory;
  return (
    `${clock(m.time)} cpu ${pct(t.busy)} (us ${t.user.toFixed(1)} sy ${t.system.toFixed(1)} wa ${t.iowait.toFixed(1)}) ` +
    `${load} run ${s.runQueue} blk ${s.blocked} | ctxsw/s ${num(s.contextSwitchesPerSec)} intr/s ${num(s.interruptsPerSec)} | ` +
    `faults/s minor ${num(s.minorFaultsPerSec)} major ${num(s.majorFaultsPerSec)} | ` +
    `mem used ${formatBytes(mem.used)} cache ${formatBytes(mem.pageCache)} dirty ${formatBytes(mem.dirty)} ` +
    `swap ${formatBytes(mem.swapUsed)}/${formatBytes(mem.swapTotal)}${psi}` +
    (top ? ` | top ${esc(top.comm)}[${top.pid}] ${pct(top.cpuPercent)}` : '')
  );
}

export const PROCESS_HEADER = columnsHeader(PLAIN_COLUMNS, 'cpu').replace('▼', ' ');

/** The plain table's header with ▼ on the sort column (same widths as processLine). */
export function processHeader(sort: ProcessSortKey, reverse = false): string {
  return columnsHeader(PLAIN_COLUMNS, sort, reverse);
}

/** One plain process table row, fixed columns. */
export function processLine(r: ProcessRateRow, commandWidth = 60): string {
  return columnsLine(PLAIN_COLUMNS, r, commandWidth);
}

/** --once: the system lines and the first `limit` processes. */
export function topSnapshot(m: TopModel, limit = 20): string[] {
  const s = m.system;
  const lines = [topPlainLine(m), ''];
  s.cpus.forEach((c, i) =>
    lines.push(
      `cpu${i} ${pct(c.busy).padStart(6)}  user ${c.user.toFixed(1)}  system ${c.system.toFixed(1)}  iowait ${c.iowait.toFixed(1)}  irq+steal ${c.other.toFixed(1)}`,
    ),
  );
  lines.push(
    '',
    `processes sorted by ${m.sort}${m.syscallsNote ? ` (SYSC/s: ${m.syscallsNote})` : ''}`,
    PROCESS_HEADER,
  );
  for (const r of m.processes.slice(0, limit)) lines.push(processLine(r));
  return lines;
}

const signed = (n: number) => (n > 0 ? `+${formatBytes(n)}` : n < 0 ? `-${formatBytes(-n)}` : '0');

/** One watch line per refresh: the process's figures and the regions that changed. */
export function watchPlainLine(m: WatchModel): string {
  if (m.exited) return `${clock(m.time)} ${esc(m.exitNote)}`;
  const grew = m.regions
    .filter((r) => r.changed)
    .slice(0, 4)
    .map((r) => `${esc(regionName(r))} ${signed(r.rssDelta)}`);
  return (
    `${clock(m.time)} pid ${m.pid} ${esc(m.comm)} ${m.state} rss ${formatBytes(m.rss)} (${signed(m.rssDelta)}) cpu ${pct(m.cpuPercent)} ` +
    `faults/s minor ${num(m.minorFaultsPerSec)} major ${num(m.majorFaultsPerSec)} ` +
    `csw/s ${num(m.voluntaryPerSec)}+${num(m.nonvoluntaryPerSec)}` +
    (grew.length > 0 ? ` | changed: ${grew.join(', ')}` : '')
  );
}

export const REGION_HEADER = 'REGION                   KIND          SIZE      RSS    ΔRSS PERM';

export function regionLine(r: RegionRow, nameWidth = 24): string {
  return (
    `${esc(regionName(r)).slice(0, nameWidth).padEnd(nameWidth)} ${r.kind.padEnd(12)} ${formatBytes(r.size).padStart(6)} ` +
    `${formatBytes(r.rss).padStart(8)} ${(r.rssDelta === 0 ? '' : signed(r.rssDelta)).padStart(7)} ${r.perms}`
  );
}

/** --once: the status line and the regions holding memory. */
export function watchSnapshot(m: WatchModel, limit = 30): string[] {
  const lines = [watchPlainLine(m), '', REGION_HEADER];
  for (const r of m.regions.filter((x) => x.rss > 0).slice(0, limit)) lines.push(regionLine(r));
  return lines;
}
