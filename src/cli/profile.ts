/**
 * `oslens profile`: which functions the CPU time goes to, sampled on-CPU stacks (eBPF on the
 * cpu-clock event), as a top-functions table, folded stacks, an interactive SVG flame graph,
 * a pprof file or JSON. Kernel frames carry their mental model (the overlay).
 */
import type { Command } from 'commander';
import { Profiler, WANT_KERNEL, WANT_USER } from '../ebpf/profile.js';
import {
  addTargetOptions,
  endTarget,
  exitStatus,
  openFor,
  reaped,
  resolveTarget,
  runSession,
  timing,
  type TargetFlags,
} from '../ebpf/target.js';
import { flameGraphSvg } from '../profile/flamegraph.js';
import { foldedStacks, topFunctions, type Profile } from '../profile/model.js';
import { pprofFile } from '../profile/pprof.js';
import { ExitCode, UserError } from '../util/errors.js';
import { checkWritable, writeFileReplacing } from '../util/files.js';
import { escapeForTerminal } from '../util/terminal.js';
import { countOption, runEbpfCommand } from './ebpf-common.js';

interface ProfileFlags extends TargetFlags {
  frequency: string;
  kernel?: boolean;
  user?: boolean;
  folded?: boolean;
  svg?: string;
  pprof?: string;
  top: string;
}

/**
 * How often the sampled processes are snapshotted (maps, modules) while they run: often at first,
 * so a short `-- CMD` (or the children it starts) is seen before it exits, then every 250 ms.
 */
const POLL_FIRST_MS = 40;
const POLL_FIRST_FOR_MS = 2000;
const POLL_MS = 250;

export function register(program: Command): void {
  addTargetOptions(
    program
      .command('profile')
      .description('sample on-CPU stacks (eBPF, cpu-clock) and show the functions the time goes to')
      .argument('[command...]', 'run COMMAND (after --) and profile it and its children'),
  )
    .option('-F, --frequency <hz>', 'samples per second per CPU', '99')
    .option('--kernel', 'kernel stacks only')
    .option('--user', 'user stacks only')
    .option('--folded', 'print folded stacks (flamegraph.pl, speedscope, inferno) instead of the table')
    .option('--svg <file>', 'write an interactive flame graph (self-contained SVG)')
    .option('--pprof <file>', 'write a gzipped pprof profile (go tool pprof, Pyroscope, Parca)')
    .option('--top <n>', 'functions to print (text output)', '20')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens profile --duration 10\n  oslens profile -F 999 --svg flame.svg -- ./my-program\n  oslens profile -p 1234 --duration 30 --pprof cpu.pb.gz\n  oslens profile --kernel --folded --duration 5 > kernel.folded',
    )
    .action(async (command: string[], flags: ProfileFlags) => {
      await runEbpfCommand(flags, 'profile', () => profileCommand(command, flags));
    });
}

function frequency(text: string): number {
  const hz = Number(text);
  if (!/^\d+$/.test(text.trim()) || hz < 1 || hz > 10_000)
    throw new UserError(`-F: "${text}" must be a whole number of samples per second from 1 to 10000`, ExitCode.usage);
  return hz;
}

async function profileCommand(command: string[], flags: ProfileFlags): Promise<number> {
  const hz = frequency(flags.frequency);
  const top = countOption(flags.top, '--top');
  if (flags.kernel && flags.user)
    throw new UserError('give --kernel or --user, not both (default: both)', ExitCode.usage);
  const want = flags.kernel ? WANT_KERNEL : flags.user ? WANT_USER : WANT_USER | WANT_KERNEL;
  if (flags.svg) checkWritable(flags.svg, '--svg');
  if (flags.pprof) checkWritable(flags.pprof, '--pprof');
  const { duration, interval } = timing(flags);
  const quiet = Boolean(flags.json || flags.folded);
  const target = await resolveTarget(flags, command, 0, quiet);
  const profiler = openFor(target, () => new Profiler(target.filter, hz, want));
  try {
    process.stderr.write(`profile: sampling ${target.describe} at ${hz} Hz; Ctrl-C to stop\n`);
    const started = Date.now();
    let poller: NodeJS.Timeout;
    const poll = () => {
      profiler.poll();
      poller = setTimeout(poll, Date.now() - started < POLL_FIRST_FOR_MS ? POLL_FIRST_MS : POLL_MS);
    };
    poller = setTimeout(poll, POLL_FIRST_MS);
    let why;
    try {
      why = await runSession(profiler.session, target, {
        duration,
        interval,
        onInterval: () => {
          if (!quiet) process.stdout.write(renderTop(profiler.collect(), top));
        },
      });
    } finally {
      clearTimeout(poller);
    }
    profiler.stop();
    endTarget(target, why);
    const profile = profiler.collect();
    profiler.close(); // nothing stays attached while the outputs are written
    await reaped(target);
    const title = `oslens profile: ${target.describe}`;
    if (flags.svg)
      writeFileReplacing(flags.svg, flameGraphSvg(profile.stacks, { title, subtitle: subtitle(profile) }), '--svg');
    if (flags.pprof) writeFileReplacing(flags.pprof, pprofFile(profile), '--pprof');
    if (flags.json) process.stdout.write(`${JSON.stringify(toJson(profile, top))}\n`);
    else if (flags.folded) process.stdout.write(foldedStacks(profile.stacks));
    else process.stdout.write(renderTop(profile, top));
    for (const note of notes(profile)) process.stderr.write(`profile: ${escapeForTerminal(note)}\n`);
    if (profile.samples === 0) process.stderr.write('profile: no samples (the target used no CPU while sampled)\n');
    return exitStatus(target, why);
  } finally {
    profiler.close();
  }
}

function subtitle(p: Profile): string {
  return `${p.samples} samples at ${p.hz} Hz over ${p.durationSeconds.toFixed(1)} s (${p.mode === 'both' ? 'user + kernel' : p.mode} stacks); kernel frames coloured by mental model`;
}

/** What the reader must know about the profile's completeness. */
function notes(p: Profile): string[] {
  const out: string[] = [];
  const lost = p.lost.userStacks + p.lost.kernelStacks + p.lost.samples;
  if (lost > 0)
    out.push(
      `not kept whole: ${p.lost.userStacks} user stacks, ${p.lost.kernelStacks} kernel stacks (the stack map had no free slot for them), ${p.lost.samples} samples (the counts table was full)`,
    );
  if (p.modulesWithoutSymbols.length > 0)
    out.push(`no symbols (stripped, no debug file found): ${p.modulesWithoutSymbols.join(', ')}`);
  if (p.exited.length > 0) out.push(`exited while sampled (resolved from their last maps): pid ${p.exited.join(', ')}`);
  return out;
}

const pctText = (n: number) => `${n.toFixed(1)}%`.padStart(6);

function renderTop(p: Profile, top: number): string {
  const rows = topFunctions(p.stacks).slice(0, top);
  const lines = [`${p.samples} samples at ${p.hz} Hz over ${p.durationSeconds.toFixed(1)} s`];
  lines.push(`${'SELF'.padStart(6)} ${'TOTAL'.padStart(6)} ${'SAMPLES'.padStart(8)}  FUNCTION  (MODULE) [MODEL]`);
  for (const r of rows) {
    const mod = r.module.split('/').pop() || r.module;
    const model = r.model ? `  [${r.model}]` : '';
    // An unknown frame's name already says its module.
    const where = r.name.startsWith('[unknown] (') ? '' : `  (${escapeForTerminal(mod)})`;
    lines.push(
      `${pctText(r.selfPercent)} ${pctText(r.totalPercent)} ${String(r.self).padStart(8)}  ${escapeForTerminal(r.name)}${where}${model}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The documented JSON shape (README: "oslens profile"). */
function toJson(p: Profile, top: number) {
  return {
    hz: p.hz,
    durationSeconds: Math.round(p.durationSeconds * 1000) / 1000,
    mode: p.mode,
    samples: p.samples,
    lost: p.lost,
    modulesWithoutSymbols: p.modulesWithoutSymbols,
    exited: p.exited,
    top: topFunctions(p.stacks).slice(0, top),
    stacks: p.stacks.map((s) => ({
      pid: s.pid,
      comm: s.comm,
      samples: s.samples,
      frames: s.frames.map((f) => ({
        name: f.name,
        module: f.module,
        kind: f.kind,
        address: f.address,
        model: f.model,
      })),
    })),
  };
}
