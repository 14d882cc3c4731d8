/** `oslens why PID`: why a process is in its state and what would move it; `--load`: why the load is high. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { onlineCpus } from '../native/libc.js';
import { readProcessStat, readProcessStatus, readSyscallState, readWchan } from '../proc/process.js';
import { listPids, listProcDir, readField, readSystemText, parsePid } from '../proc/read.js';
import { parseLoadAvg, parsePressure, parseSystemStat } from '../proc/system.js';
import { explainProcess, type LoadTask } from '../proc/why.js';
import { ExitCode, UserError } from '../util/errors.js';
import { escapeForTerminal, escapeStrings } from '../util/terminal.js';

interface WhyFlags {
  json?: boolean;
  load?: boolean;
}

export function register(program: Command): void {
  program
    .command('why')
    .description('explain why a process is in its state (R S D T t Z) and what would move it; --load: the load average')
    .argument('[pid]', 'process id')
    .option('--json', 'print one JSON document (see README: "why --json")')
    .option('--load', 'explain the load average: which tasks are running and which are in D state')
    .addHelpText('after', '\nExamples:\n  oslens why 1234\n  oslens why --json 1234\n  oslens why --load')
    .action((pidText: string | undefined, flags: WhyFlags) => {
      if (flags.load) return whyLoad(Boolean(flags.json));
      if (pidText === undefined) throw new UserError('why: give a PID, or --load', ExitCode.usage);
      whyPid(parsePid(pidText), Boolean(flags.json));
    });
}

function commOf(pid: number): string | undefined {
  if (pid <= 0) return undefined;
  try {
    return readProcessStat(pid).comm;
  } catch {
    return undefined;
  }
}

/** The v1 freezer cgroup of a process when that group is FROZEN (frozen tasks show as D). */
function frozenCgroup(pid: number): string | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .find((l) => l.split(':')[1]?.split(',').includes('freezer'));
    const path = line?.split(':').slice(2).join(':');
    if (!path) return undefined;
    const state = readFileSync(`/sys/fs/cgroup/freezer${path}/freezer.state`, 'utf8').trim();
    return state === 'FROZEN' || state === 'FREEZING' ? path : undefined;
  } catch {
    return undefined;
  }
}

function whyPid(pid: number, json: boolean): void {
  const stat = readProcessStat(pid);
  const status = readProcessStatus(pid);
  const report = explainProcess({
    stat,
    status,
    wchan: readField(() => readWchan(pid)),
    syscall: readField(() => readSyscallState(pid)),
    parentComm: commOf(stat.ppid),
    tracerComm: status.tracerPid ? commOf(status.tracerPid) : undefined,
    frozenIn: stat.state === 'D' ? frozenCgroup(pid) : undefined,
  });
  if (json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  const shown = escapeStrings(report); // names of this process, its parent and tracer
  let out = `${pid} (${shown.comm}): state ${shown.state} = ${shown.stateName}   [model: scheduling]\n`;
  for (const r of shown.reasons) out += `\n- ${r.code}: ${r.text}\n`;
  process.stdout.write(out);
}

function whyLoad(json: boolean): void {
  const loadText = readSystemText('loadavg');
  if (!loadText) throw new UserError('/proc/loadavg is not readable');
  const load = parseLoadAvg(loadText);
  const cpus = onlineCpus();
  const running: LoadTask[] = [];
  const blocked: LoadTask[] = [];
  for (const pid of listPids()) {
    // oslens itself is running while it looks (its main thread, V8's workers): not the load.
    if (pid === process.pid) continue;
    let tids: string[];
    try {
      tids = listProcDir(pid, 'task');
    } catch {
      continue; // exited or unreadable
    }
    for (const t of tids) {
      const tid = Number(t);
      try {
        const st = readProcessStat(pid, tid);
        if (st.state !== 'R' && st.state !== 'D') continue;
        const wchan = st.state === 'D' ? readField(() => readWchan(pid)) : '';
        const task = {
          pid,
          tid,
          comm: st.comm,
          state: st.state,
          wchan: typeof wchan === 'string' ? wchan || null : null,
        };
        (st.state === 'R' ? running : blocked).push(task);
      } catch (err) {
        if (!(err instanceof UserError)) throw err; // exited or hidden: not counted
      }
    }
  }
  const statText = readSystemText('stat');
  const sys = statText ? parseSystemStat(statText) : undefined;
  const psiText = readSystemText('pressure/cpu');
  const ioText = readSystemText('pressure/io');
  const explanation =
    `The load average counts tasks that are runnable (R: running or waiting for a CPU) plus tasks in ` +
    `uninterruptible sleep (D: waiting for disk or NFS, a lock, a vfork child). With ${cpus} CPUs, a load of ${cpus} means full; ` +
    `a high load with idle CPUs means D tasks: they wait (their wchan says where), not for CPU. ` +
    `/proc/stat's procs_blocked counts only tasks waiting for block I/O, so it can be 0 while D tasks make the load.`;
  const doc = {
    loadavg: load,
    cpus,
    running,
    uninterruptible: blocked,
    procsRunning: sys?.procsRunning ?? null,
    procsBlocked: sys?.procsBlocked ?? null,
    pressure: { cpu: psiText ? parsePressure(psiText) : null, io: ioText ? parsePressure(ioText) : null },
    explanation,
  };
  if (json) {
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return;
  }
  let out = `load average ${load.load1} ${load.load5} ${load.load15} (1, 5, 15 min) on ${cpus} CPUs   [model: scheduling]\n`;
  out += `${explanation}\n\nnow: ${running.length} running/runnable, ${blocked.length} in D state (not counting this oslens, pid ${process.pid})\n`;
  const comm = (t: LoadTask) => escapeForTerminal(t.comm);
  for (const t of running) out += `  R  ${t.pid}/${t.tid}  ${comm(t)}\n`;
  for (const t of blocked) out += `  D  ${t.pid}/${t.tid}  ${comm(t)}  waits in ${t.wchan ?? '?'}\n`;
  if (doc.pressure.cpu)
    out += `\nPSI cpu: some ${doc.pressure.cpu.some.avg10}% of the last 10 s had a task waiting for a CPU\n`;
  if (doc.pressure.io)
    out += `PSI io: some ${doc.pressure.io.some.avg10}% of the last 10 s had a task waiting for I/O\n`;
  process.stdout.write(out);
}
