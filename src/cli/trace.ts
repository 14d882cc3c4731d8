/** `oslens trace`: a ptrace syscall tracer with strace's output, JSON Lines and mental models. */
import { isUtf8 } from 'node:buffer';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Command } from 'commander';
import { buildCaptureTable, setHexStyle } from '../trace/decode.js';
import { setNetlinkStrsize } from '../trace/decode/printers/netlink.js';
import { startTrace } from '../trace/ptrace.js';
import type { EngineRecord } from '../trace/records.js';
import { TraceRenderer, renderOptions } from '../trace/render.js';
import { resolveSyscallSet, syscallByNr, syscallName } from '../trace/syscalls.js';
import { CALLER } from '../util/caller.js';
import { rawCommand, rawEnvironment, rawVariable } from '../util/raw-args.js';
import { ExitCode, UserError } from '../util/errors.js';
import { openTraceOutput } from './trace-output.js';

interface TraceFlags {
  follow?: boolean;
  summary?: boolean;
  summaryAndLines?: boolean;
  wallClock?: boolean;
  pid?: string;
  expr?: string[];
  strsize: string;
  durations?: boolean;
  timestamps: number;
  hex: number;
  showPaths?: boolean;
  output?: string;
  json?: boolean;
  model?: boolean;
  ebpf?: boolean;
  buffer?: string;
  live?: boolean;
  delay?: string;
  tui?: boolean;
  lib?: string[];
  verbose?: boolean;
}

export function register(program: Command): void {
  program.enablePositionalOptions();
  program
    .command('trace')
    .description('trace the syscalls of a command or of running processes (ptrace), strace-style')
    .argument('[command...]', 'the command to run and trace (after --)')
    .option('-f, --follow', 'follow forks, vforks and threads')
    .option('-c, --summary', 'count time, calls and errors per syscall; print the table at the end')
    .option('-C, --summary-and-lines', 'like -c, and print the lines too')
    .option(
      '-w, --wall-clock',
      '-c/-C: count the wall time between entry and exit of each call instead of system CPU time',
    )
    .option(
      '-p, --pid <pids>',
      'attach to running processes (comma-separated): only the thread given unless -f (--ebpf: whole processes); Ctrl-C detaches',
    )
    .option(
      '-e, --expr <expr>',
      'trace=SET: names, %file %process %network %memory %signal %ipc %desc %creds, model:<id>',
      collect,
      [],
    )
    .option('-s, --strsize <n>', 'maximum string size to print', '32')
    .option('-T, --durations', 'show the time spent in each syscall')
    .option(
      '-t, --timestamps',
      'prefix lines with the time (-tt: microseconds, -ttt: epoch seconds)',
      (_v: string, prev: number) => prev + 1,
      0,
    )
    .option(
      '-x, --hex',
      'print non-ASCII strings in hexadecimal (-xx: all strings)',
      (_v: string, prev: number) => prev + 1,
      0,
    )
    .option('-y, --show-paths', 'print the paths behind file descriptors')
    .option('-o, --output <file>', 'write the trace to FILE instead of stderr')
    .option('--json', 'JSON Lines: one object per syscall and process event, a summary last')
    .option('--model', "add a column naming each syscall's mental model")
    .option('--ebpf', 'trace with eBPF instead of ptrace (needs root); -c counts in kernel')
    .option('--buffer <size>', '--ebpf, --lib: ring buffer size (e.g. 256M; default 64M)')
    .option(
      '--lib <spec>',
      "library calls too (eBPF uprobes), with their syscalls nested: LIB:FUNC[,FUNC...][;...], globs allowed, e.g. 'libc:malloc,free,printf' or 'libc:*alloc*'; may be repeated",
      collect,
      [],
    )
    .option('--verbose', '--lib: print the libbpf log when loading or attaching fails')
    .option('--live', 'live view: the stream in a scrolling log and a per-syscall count/latency table with models')
    .option('-d, --delay <seconds>', 'refresh interval of --live', '1')
    .option('--no-tui', '--live: plain lines even on a terminal')
    .passThroughOptions()
    .addHelpText(
      'after',
      '\nExamples:\n  oslens trace -- ls /\n  oslens trace -f -e trace=%file,model:virtual-memory -- make\n  oslens trace --lib libc:malloc,free,printf -- ./a.out\n  oslens trace -c -f -- dd if=/dev/zero of=/dev/null count=1000\n  oslens trace -p 1234,1240 --json -o trace.jsonl',
    )
    .action(async (command: string[], flags: TraceFlags) => {
      const code = await traceCommand(command, flags);
      process.exit(code);
    });
}

function collect(value: string, prev: string[]): string[] {
  return [...prev, value];
}

// -t, -tt and -ttt: commander sees `-tt` as `-t -t`, which the counter above handles.

/**
 * PATH lookup as execvp does it, on bytes (a name need not be UTF-8); strace-like error when the
 * command does not exist.
 */
export function resolveCommand(cmd: string | Buffer, pathVar?: string | Buffer): string | Buffer {
  const name = Buffer.from(cmd);
  const dirs = (dirList: Buffer) => {
    const out: Buffer[] = [];
    for (let at = 0; ;) {
      const colon = dirList.indexOf(0x3a, at); // ':', an empty entry is the current directory
      out.push(dirList.subarray(at, colon < 0 ? dirList.length : colon));
      if (colon < 0) return out;
      at = colon + 1;
    }
  };
  const candidates = name.includes(0x2f) // '/'
    ? [name]
    : dirs(Buffer.from(pathVar ?? process.env.PATH ?? '/usr/bin:/bin')).map((d) =>
        Buffer.concat([d.length ? d : Buffer.from('.'), Buffer.from('/'), name]),
      );
  for (const b of candidates) {
    const c = isUtf8(b) ? b.toString() : b;
    try {
      if (statSync(c).isFile()) {
        accessSync(c, constants.X_OK);
        return c;
      }
    } catch {
      // next candidate
    }
  }
  throw new UserError(`Can't stat '${name.toString()}': No such file or directory`, 127);
}

function parsePids(text: string): number[] {
  const pids = text.split(/[,\s]+/).filter(Boolean);
  if (pids.length === 0) throw new UserError('-p: give a process id', ExitCode.usage);
  return pids.map((p) => {
    if (!/^\d+$/.test(p) || Number(p) <= 0) throw new UserError(`-p: invalid process id '${p}'`, ExitCode.usage);
    const pid = Number(p);
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      throw new UserError(`attach: ptrace(PTRACE_SEIZE, ${pid}): No such process`, ExitCode.noSuchProcess);
    }
    if (pid === process.pid) throw new UserError(`-p ${pid}: that is oslens itself`, ExitCode.usage);
    const tracer = /^TracerPid:\s*(\d+)/m.exec(status)?.[1];
    if (tracer && tracer !== '0')
      throw new UserError(`attach: process ${pid} is already traced (TracerPid ${tracer})`, ExitCode.permissionDenied);
    return pid;
  });
}

function parseFilter(exprs: string[]): number[] | undefined {
  let filter: number[] | undefined;
  for (const e of exprs) {
    const m = /^(?:trace=)?(.*)$/.exec(e)!;
    if (/^(signal|status|read|write|abbrev|verbose|raw)=/.test(e))
      throw new UserError(`-e ${e}: only trace=SET is supported`, ExitCode.usage);
    try {
      filter = [...resolveSyscallSet(m[1]!)];
    } catch (err) {
      throw new UserError(`-e ${e}: ${(err as Error).message}`, ExitCode.usage);
    }
  }
  return filter;
}

async function traceCommand(command: string[], flags: TraceFlags): Promise<number> {
  const strsize = Number(flags.strsize);
  if (!Number.isInteger(strsize) || strsize < 0)
    throw new UserError(`-s: invalid string size '${flags.strsize}'`, ExitCode.usage);
  const filter = parseFilter(flags.expr ?? []);
  setHexStyle(flags.hex);
  setNetlinkStrsize(strsize);
  const pids = flags.pid !== undefined ? parsePids(flags.pid) : undefined;
  if (!pids && command.length === 0)
    throw new UserError('give a command to trace (after --) or -p PID', ExitCode.usage);
  if (pids && command.length > 0) throw new UserError('give either a command or -p, not both', ExitCode.usage);
  // The command's bytes as oslens got them (process.argv and process.env are decoded as UTF-8).
  const argv = rawCommand(command);
  const env = rawEnvironment(process.env, CALLER.environ);
  const path = pids ? undefined : resolveCommand(argv[0]!, rawVariable(env, 'PATH'));
  // The dashboard (blessed) and the eBPF loader (koffi) are loaded only when asked for.
  if (flags.lib && flags.lib.length > 0) {
    if (flags.live) throw new UserError('--lib and --live do not go together', ExitCode.usage);
    if (pids && pids.length > 1) throw new UserError('--lib traces one process: give one -p PID', ExitCode.usage);
    if (flags.timestamps > 0 || flags.showPaths || flags.wallClock)
      throw new UserError('--lib does not take -t, -y or -w', ExitCode.usage);
    const executable = path === undefined ? undefined : path.toString();
    return (await import('./trace-lib.js')).traceLib(command, executable, pids, filter, strsize, {
      ...flags,
      lib: flags.lib,
    });
  }
  if (flags.live) return (await import('./trace-live.js')).traceLive(command, path, pids, filter, strsize, flags);
  if (flags.ebpf) return (await import('./trace-ebpf.js')).traceEbpf(command, pids, filter, strsize, flags);

  const counting = Boolean(flags.summary || flags.summaryAndLines);
  const lines = !flags.summary || Boolean(flags.summaryAndLines);
  const json = Boolean(flags.json);
  const output = await openTraceOutput(flags);
  const renderer = new TraceRenderer(renderOptions(flags, json, lines));
  let counts: { nr: number; calls: number; errors: number; ns: number; sysNs: number }[] = [];
  const onRecords = (records: EngineRecord[]) => {
    for (const r of records) {
      if (r.type === 'counts') counts = r.rows;
      else if (r.type === 'message') process.stderr.write(`oslens: ${r.text} (tid ${r.tid})\n`);
      else if (r.type === 'attached') {
        output.write(renderer.push(r));
        if (!json) process.stderr.write(`oslens: Process ${r.tid} attached\n`);
      } else if (r.type === 'detached') {
        // The renderer ends the line of a call in flight with ` <detached ...>`.
        output.write(renderer.push(r));
        if (!json) process.stderr.write(`oslens: Process ${r.tid} detached\n`);
      } else output.write(renderer.push(r));
    }
  };
  const handle = startTrace(
    {
      path,
      argv,
      env,
      ...callerState(),
      pids,
      follow: Boolean(flags.follow),
      strsize,
      emitSyscalls: lines || json,
      count: true,
      filter,
      capture: lines || json ? buildCaptureTable({ showPaths: Boolean(flags.showPaths) }) : undefined,
      spinUs: 20,
    },
    onRecords,
  );
  // As strace: -p detaches; a spawned command that got the signal itself (Ctrl-C goes to the
  // whole foreground process group) handles it as it would untraced, and the trace shows how it
  // ends; one that did not gets it forwarded, then is detached (src/trace/ptrace.ts signal()).
  // Attached processes are detached and left running; oslens itself then ends as strace does,
  // with 128 + the signal (130 for Ctrl-C).
  let detachedBy: number | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    if (!pids) return handle.signal(osConstants.signals[name]);
    detachedBy ??= osConstants.signals[name];
    handle.stop('detach');
  };
  for (const s of FATAL_SIGNALS) process.on(s, onSignal);
  const result = await handle.done;
  for (const s of FATAL_SIGNALS) process.off(s, onSignal);
  if (result.rc !== 0)
    throw new UserError(
      result.error ?? 'tracing failed',
      /EPERM|Operation not permitted/.test(result.error ?? '') ? ExitCode.permissionDenied : ExitCode.failure,
    );

  // strace -c: the tracee's system CPU time across each call (from wait4's rusage at the entry
  // and exit stops); -w: wall time. JSON keeps `seconds` as wall time and adds `systemSeconds`.
  const rows = counts.map((c) => ({
    name: syscallName(c.nr),
    nr: c.nr,
    calls: c.calls,
    errors: c.errors,
    seconds: (json || flags.wallClock ? c.ns : c.sysNs) / 1e9,
    systemSeconds: c.sysNs / 1e9,
    model: syscallByNr(c.nr)?.model,
  }));
  if (json || counting) output.summary(rows, Boolean(flags.model));
  await output.close();
  return exitCode(detachedBy ? { ...result, detachedOnSignal: result.detachedOnSignal || detachedBy } : result);
}

/** The signals strace acts on (it also takes SIGPIPE, which Node ignores and turns into EPIPE). */
const FATAL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/** A command that was run: its status, 128+N when killed by signal N or when oslens got N and
 * detached; attached processes: 0 (128 + the signal when one ended the trace). */
export function exitCode(result: { status: number; detachedOnSignal?: number }): number {
  if (result.detachedOnSignal) return 128 + result.detachedOnSignal;
  if (result.status < 0) return 0;
  const sig = result.status & 0x7f;
  return sig === 0 ? (result.status >> 8) & 0xff : 128 + sig;
}

/** What the command must get as oslens's caller gave it (src/util/caller.ts). */
export function callerState() {
  return {
    keepFds: CALLER.fds ?? undefined,
    stdioNonblock: CALLER.stdioNonblock,
    savedStdio: CALLER.savedStdio,
    sigIgnored: CALLER.sigIgnored ?? undefined,
    sigBlocked: CALLER.sigBlocked ?? undefined,
  };
}
