/** `oslens runqlat`: how long runnable tasks wait for a CPU, as a log2 histogram (BCC's runqlat). */
import { escapeForTerminal } from '../util/terminal.js';
import type { Command } from 'commander';
import { Runqlat, renderLog2Hist, type Bucket, type RunqHistogram } from '../ebpf/runqlat.js';
import {
  addTargetOptions,
  endTarget,
  exitStatus,
  openFor,
  resolveTarget,
  runSession,
  timing,
  type TargetFlags,
} from '../ebpf/target.js';
import { runEbpfCommand } from './ebpf-common.js';

interface RunqlatFlags extends TargetFlags {
  perProcess?: boolean;
}

export function register(program: Command): void {
  addTargetOptions(
    program
      .command('runqlat')
      .description('run-queue latency: time from wakeup (or preemption) to running on a CPU, log2 histogram')
      .argument('[command...]', "run COMMAND (after --) and measure its tasks and its children's"),
  )
    .option('-P, --per-process', 'one histogram per process')
    .addHelpText(
      'after',
      '\nExamples:\n  oslens runqlat --duration 5\n  oslens runqlat --interval 1 --per-process\n  oslens runqlat --json -- make -j4',
    )
    .action(async (command: string[], flags: RunqlatFlags) => {
      await runEbpfCommand(flags, 'runqlat', () => runqlatCommand(command, flags));
    });
}

function sumBuckets(hists: RunqHistogram[]): Bucket[] {
  const out: Bucket[] = [];
  for (const h of hists) {
    h.buckets.forEach((b, i) => {
      const o = out[i];
      if (o) o.count += b.count;
      else out[i] = { ...b };
    });
  }
  return out;
}

async function runqlatCommand(command: string[], flags: RunqlatFlags): Promise<number> {
  const { duration, interval } = timing(flags);
  const target = await resolveTarget(flags, command, 0, Boolean(flags.json));
  const rq = openFor(target, () => new Runqlat(target.filter, Boolean(flags.perProcess)));
  try {
    if (!flags.json) process.stderr.write(`runqlat: run-queue latency of ${target.describe}; Ctrl-C to stop\n`);
    const emit = (hists: RunqHistogram[]) => {
      if (flags.json) {
        const doc: Record<string, unknown> = { buckets: sumBuckets(hists) };
        if (flags.perProcess) doc.processes = hists.map((h) => ({ pid: h.pid, comm: h.comm, buckets: h.buckets }));
        process.stdout.write(`${JSON.stringify(doc)}\n`);
        return;
      }
      const parts: string[] = [`[${new Date().toTimeString().slice(0, 8)}]  (cumulative)`];
      if (flags.perProcess) {
        for (const h of hists)
          parts.push(`\npid = ${h.pid} ${escapeForTerminal(h.comm)}\n${renderLog2Hist(h.buckets)}`);
      } else {
        parts.push(renderLog2Hist(sumBuckets(hists)));
      }
      process.stdout.write(`${parts.join('\n')}\n\n`);
    };
    const why = await runSession(rq.session, target, { duration, interval, onInterval: () => emit(rq.snapshot()) });
    const final = rq.snapshot();
    endTarget(target, why);
    emit(final);
    return exitStatus(target, why);
  } finally {
    rq.close();
  }
}
