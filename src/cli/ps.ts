/** `oslens ps`: processes with the fields the seeds teach (faults, context switches, CPU%). */
import type { Command } from 'commander';
import { FIELDS } from '../proc/fields.js';
import { formatBytes, formatCount, renderTable } from '../proc/format.js';
import { uidOf } from '../proc/process.js';
import { SORT_KEYS, listProcesses, sortRows, treeOrder, type ProcessRow, type SortKey } from '../proc/ps.js';
import { ExitCode, UserError } from '../util/errors.js';

interface PsFlags {
  json?: boolean;
  sort: string;
  user?: string;
  name?: string;
  state?: string;
  tree?: boolean;
  interval: string;
}

export function register(program: Command): void {
  program
    .command('ps')
    .description('list processes: state, threads, CPU%, RSS, faults, context switches (from /proc)')
    .option('--json', 'print a JSON array (see README: "ps --json")')
    .option('--sort <key>', `sort by: ${SORT_KEYS.join(', ')} (numbers biggest first)`, 'pid')
    .option('--user <name|uid>', 'only processes of this user (real uid)')
    .option('--name <text>', 'only processes whose name or command line contains TEXT')
    .option('--state <letters>', 'only processes in these states, e.g. D or RD or Z')
    .option('--tree', 'show the fork tree: each process under its parent')
    .option('--interval <ms>', 'time between the two CPU samples (0: average over each lifetime)', '250')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens ps --sort rss | head\n  oslens ps --state D\n  oslens ps --tree --user root\n  oslens ps --json --name node',
    )
    .action(async (flags: PsFlags) => {
      await psCommand(flags);
    });
}

async function psCommand(flags: PsFlags): Promise<void> {
  if (!(SORT_KEYS as readonly string[]).includes(flags.sort)) {
    throw new UserError(`--sort: unknown key "${flags.sort}"; valid: ${SORT_KEYS.join(', ')}`, ExitCode.usage);
  }
  if (!/^\d+$/.test(flags.interval) || Number(flags.interval) > 60_000) {
    throw new UserError(`--interval: "${flags.interval}" must be milliseconds from 0 to 60000`, ExitCode.usage);
  }
  let uid: number | undefined;
  if (flags.user !== undefined) {
    uid = uidOf(flags.user);
    if (uid === undefined) throw new UserError(`--user: no user "${flags.user}" in /etc/passwd`, ExitCode.usage);
  }
  if (flags.state !== undefined && !/^[RSDTtZXIKWP]+$/.test(flags.state)) {
    throw new UserError(`--state: "${flags.state}" must be state letters among R S D T t Z X I`, ExitCode.usage);
  }
  let rows = await listProcesses(Number(flags.interval));
  rows = rows.filter(
    (r) =>
      (uid === undefined || r.uid === uid) &&
      (flags.name === undefined || r.comm.includes(flags.name) || r.command.includes(flags.name)) &&
      (flags.state === undefined || flags.state.includes(r.state)),
  );
  rows = sortRows(rows, flags.sort as SortKey);
  if (flags.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const ordered = flags.tree ? treeOrder(rows) : rows.map((row) => ({ row, prefix: '' }));
  const cols = ['pid', 'ppid', 'user', 'state', 'threads', 'cpuPercent', 'rss', 'minflt', 'majflt'] as const;
  const headers = [
    ...cols.map((c) => FIELDS[c].label),
    FIELDS.voluntaryCtxt.label,
    FIELDS.nonvoluntaryCtxt.label,
    FIELDS.command.label,
  ];
  const width = process.stdout.isTTY ? (process.stdout.columns ?? 200) : Infinity;
  const body = ordered.map(({ row, prefix }) => cells(row, prefix));
  let text = renderTable(headers, body, [true, true, false, false, true, true, true, true, true, true, true, false]);
  if (Number.isFinite(width)) {
    text = text
      .split('\n')
      .map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l))
      .join('\n');
  }
  process.stdout.write(text);
}

function cells(r: ProcessRow, prefix: string): string[] {
  return [
    String(r.pid),
    String(r.ppid),
    r.user,
    r.state,
    String(r.threads),
    r.cpuPercent.toFixed(1),
    formatBytes(r.rss),
    formatCount(r.minflt),
    formatCount(r.majflt),
    formatCount(r.voluntaryCtxt),
    formatCount(r.nonvoluntaryCtxt),
    prefix + r.command,
  ];
}
