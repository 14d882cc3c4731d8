/** `oslens maps PID`: the address space, region by region, like `pmap -X` but explained. */
import type { Command } from 'commander';
import { findModel } from '../lessons/load.js';
import { formatBytes, renderTable } from '../proc/format.js';
import { REGION_KIND_HELP, hexAddress, totalsOf, type Region } from '../proc/maps.js';
import { readAddressSpace } from '../proc/process.js';
import { isFieldError, parsePid } from '../proc/read.js';

interface MapsFlags {
  json?: boolean;
  pagemap: boolean;
}

export function register(program: Command): void {
  program
    .command('maps')
    .description('the address space of a process: regions classified and measured (smaps + pagemap)')
    .argument('<pid>', 'process id')
    .option('--json', 'print one JSON document (see README: "maps --json")')
    .option('--no-pagemap', 'skip the pagemap scan (present/swapped page counts)')
    .addHelpText('after', '\nExamples:\n  oslens maps $$\n  oslens maps --json 1234 | jq .totals')
    .action((pidText: string, flags: MapsFlags) => {
      mapsCommand(parsePid(pidText), flags);
    });
}

function mapsCommand(pid: number, flags: MapsFlags): void {
  const space = readAddressSpace(pid, { pagemap: flags.pagemap });
  const totals = totalsOf(space.regions);
  const rollup = isFieldError(space.rollup) ? null : space.rollup;
  if (flags.json) {
    const doc = {
      pid,
      regions: space.regions.map((r) => ({
        start: r.start,
        end: r.end,
        perms: r.perms,
        offset: r.offset,
        path: r.path,
        kind: r.kind,
        size: r.size,
        rss: r.rss,
        pss: r.pss,
        swap: r.swap,
        dirty: r.dirty,
        startHex: hexAddress(r.start),
        endHex: hexAddress(r.end),
        anonymous: r.anonymous,
        pages: r.pages,
      })),
      totals,
      rollup,
      pagemap: space.pagemap,
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return;
  }
  const rows = space.regions.map((r) => regionCells(r, space.pagemap));
  const headers = ['ADDRESS', 'PERM', 'KIND', 'SIZE', 'RSS', 'PSS', 'SWAP', 'DIRTY'];
  if (space.pagemap) headers.push('PRESENT');
  headers.push('MAPPING');
  const right = headers.map((h) => ['SIZE', 'RSS', 'PSS', 'SWAP', 'DIRTY', 'PRESENT'].includes(h));
  let out = renderTable(headers, rows, right);
  const total = ['total', '', '', formatBytes(totals.size), formatBytes(totals.rss), formatBytes(totals.pss)];
  total.push(formatBytes(totals.swap), formatBytes(totals.dirty));
  out += `${'-'.repeat(60)}\n${total.join('  ')}   (${space.regions.length} regions)\n`;
  if (rollup) {
    out += `smaps_rollup (kernel's own totals): rss ${formatBytes(rollup.rss)}, pss ${formatBytes(rollup.pss)}, swap ${formatBytes(rollup.swap)}\n`;
  }
  if (!space.pagemap) out += 'pagemap: not readable (needs ptrace access to the process): no page counts\n';
  const pct = totals.size > 0 ? ((totals.rss / totals.size) * 100).toFixed(1) : '0';
  out +=
    `\n[virtual-memory] ${findModel('virtual-memory').summary}\n` +
    `  ${formatBytes(totals.size)} mapped but only ${formatBytes(totals.rss)} (${pct}%) resident: demand paging gives a\n` +
    '  region RAM page by page on first touch (a minor fault), so SIZE is a promise and RSS is what was used.\n' +
    '  PSS splits shared pages (libc text) among their users; DIRTY pages must be written back or swapped.\n';
  const kinds = [...new Set(space.regions.map((r) => r.kind))];
  out += kinds.map((k) => `  ${k.padEnd(13)} ${REGION_KIND_HELP[k]}`).join('\n') + '\n';
  process.stdout.write(out);
}

function regionCells(r: Region, pagemap: boolean): string[] {
  const cells = [
    hexAddress(r.start),
    r.perms,
    r.kind,
    formatBytes(r.size),
    formatBytes(r.rss),
    formatBytes(r.pss),
    formatBytes(r.swap),
    formatBytes(r.dirty),
  ];
  if (pagemap) cells.push(r.pages ? String(r.pages.present) : '-');
  cells.push(r.path);
  return cells;
}
