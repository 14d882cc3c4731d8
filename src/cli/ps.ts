/** `oslens ps`: processes with the fields the seeds teach (faults, context switches, CPU%). */
import type { Command } from 'commander';
import { FIELDS } from '../proc/fields.js';
import { formatBytes, renderTable } from '../proc/format.js';
import { uidOf } from '../proc/process.js';
import { parsePid } from '../proc/read.js';
import { SORT_KEYS, listProcesses, sortRows, treeOrder, type ProcessRow, type SortKey } from '../proc/ps.js';
import { ExitCode, UserError } from '../util/errors.js';

interface PsFlags {
  json?: boolean;
  sort: string;
  reverse?: boolean;
  user?: string;
  name?: string;
  state?: string;
  tree?: boolean;
  interval: string;
  pid?: string;
  threads?: boolean;
  output?: string;
  wide?: boolean;
}

/** TIME as ps prints it: [DD-]HH:MM:SS of CPU time. */
export function psTime(seconds: number): string {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return d > 0 ? `${d}-${hms}` : hms;
}

interface Column {
  header: string;
  right: boolean;
  cell(r: ProcessRow, count: (n: number) => string): string;
}

/** The columns -o picks from (names as ps's where it has them). */
const COLUMNS: Record<string, Column> = {
  pid: { header: FIELDS.pid.label, right: true, cell: (r) => String(r.pid) },
  tid: { header: 'TID', right: true, cell: (r) => String(r.tid) },
  ppid: { header: FIELDS.ppid.label, right: true, cell: (r) => String(r.ppid) },
  user: { header: FIELDS.user.label, right: false, cell: (r) => r.user },
  state: { header: FIELDS.state.label, right: false, cell: (r) => r.state },
  threads: { header: FIELDS.threads.label, right: true, cell: (r) => String(r.threads) },
  cpu: { header: FIELDS.cpuPercent.label, right: true, cell: (r) => r.cpuPercent.toFixed(1) },
  mem: { header: '%MEM', right: true, cell: (r) => r.memPercent.toFixed(1) },
  vsz: { header: 'VSZ', right: true, cell: (r) => formatBytes(r.vsize) },
  rss: { header: FIELDS.rss.label, right: true, cell: (r) => formatBytes(r.rss) },
  time: { header: 'TIME', right: true, cell: (r) => psTime(r.cpuTime) },
  tty: { header: 'TTY', right: false, cell: (r) => r.tty },
  nice: { header: 'NI', right: true, cell: (r) => String(r.nice) },
  minflt: { header: FIELDS.minflt.label, right: true, cell: (r, n) => n(r.minflt) },
  majflt: { header: FIELDS.majflt.label, right: true, cell: (r, n) => n(r.majflt) },
  vcsw: { header: FIELDS.voluntaryCtxt.label, right: true, cell: (r, n) => n(r.voluntaryCtxt) },
  nvcsw: { header: FIELDS.nonvoluntaryCtxt.label, right: true, cell: (r, n) => n(r.nonvoluntaryCtxt) },
  command: { header: FIELDS.command.label, right: false, cell: (r) => r.command },
};

const DEFAULT_COLUMNS = 'pid,ppid,user,state,threads,cpu,rss,minflt,majflt,vcsw,nvcsw,command';

export function register(program: Command): void {
  program
    .command('ps')
    .description('list processes: state, threads, CPU%, RSS, faults, context switches (from /proc)')
    .option('--json', 'print a JSON array (see README: "ps --json")')
    .option('--sort <key>', `sort by: ${SORT_KEYS.join(', ')} (numbers biggest first)`, 'pid')
    .option('-r, --reverse', 'reverse the sort order')
    .option('--user <name|uid>', 'only processes of this user (real uid)')
    .option('--name <text>', 'only processes whose name or command line contains TEXT')
    .option('--state <letters>', 'only processes in these states, e.g. D or RD or Z')
    .option('-p, --pid <pids>', 'only these processes: PID[,PID...]')
    .option('-L, --threads', 'one row per thread (the TID column shows its id)')
    .option('-o, --output <columns>', `columns, comma-separated, from: ${Object.keys(COLUMNS).join(', ')}`)
    .option('-w, --wide', 'do not cut lines to the terminal width')
    .option('--tree', 'show the fork tree: each process under its parent')
    .option('--interval <ms>', 'time between the two CPU samples (0: average over each lifetime)', '250')
    .addHelpText(
      'after',
      '\nOn a terminal, lines are cut to its width (--wide: whole) and counts have thousands separators;\n' +
        'piped, they are plain numbers and lines are whole.\n' +
        'Examples:\n  oslens ps --sort rss | head\n  oslens ps --state D\n  oslens ps --tree --user root\n' +
        '  oslens ps -p 1,$$ -o pid,user,vsz,rss,mem,time,tty,command\n  oslens ps -L -p $$\n  oslens ps --json --name node',
    )
    .action(async (flags: PsFlags) => {
      await psCommand(flags);
    });
}

/** -p 1,2,3: each checked as every command checks a pid. */
function parsePids(text: string): number[] {
  return text.split(',').map((p) => parsePid(p));
}

function parseColumns(text: string): Column[] {
  return text.split(',').map((name) => {
    const c = COLUMNS[name.trim()];
    if (!c)
      throw new UserError(`-o: unknown column "${name}"; valid: ${Object.keys(COLUMNS).join(', ')}`, ExitCode.usage);
    return c;
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
  const pids = flags.pid !== undefined ? parsePids(flags.pid) : undefined;
  const output = flags.output ?? (flags.threads ? DEFAULT_COLUMNS.replace('pid,', 'pid,tid,') : DEFAULT_COLUMNS);
  const columns = parseColumns(output);
  let rows = await listProcesses(Number(flags.interval), { pids, threads: Boolean(flags.threads) });
  rows = rows.filter(
    (r) =>
      (uid === undefined || r.uid === uid) &&
      (flags.name === undefined || r.comm.includes(flags.name) || r.command.includes(flags.name)) &&
      (flags.state === undefined || flags.state.includes(r.state)),
  );
  rows = sortRows(rows, flags.sort as SortKey, Boolean(flags.reverse));
  if (flags.json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const ordered = flags.tree ? treeOrder(rows) : rows.map((row) => ({ row, prefix: '' }));
  const tty = Boolean(process.stdout.isTTY);
  // Thousands separators help a person reading a terminal; a script reading a pipe wants numbers.
  const count = tty ? (n: number) => n.toLocaleString('en-US') : (n: number) => String(n);
  const body = ordered.map(({ row, prefix }) =>
    columns.map((c) => (c === COLUMNS.command ? prefix : '') + c.cell(row, count)),
  );
  let text = renderTable(
    columns.map((c) => c.header),
    body,
    columns.map((c) => c.right),
  );
  const width = tty && !flags.wide ? (process.stdout.columns ?? 200) : Infinity;
  if (Number.isFinite(width)) {
    text = text
      .split('\n')
      .map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l))
      .join('\n');
  }
  process.stdout.write(text);
}
