/** `oslens inspect PID`: one process, decoded: identity, state, memory, signals, limits, fds, io, threads. */
import type { Command } from 'commander';
import { formatBytes, formatCount, formatCpuTicks, formatSeconds } from '../proc/format.js';
import { kernelUnits } from '../proc/process.js';
import type { OpenFd } from '../proc/fds.js';
import { decodeOpenFlags } from '../proc/fds.js';
import { inspectProcess, type ProcessInspection } from '../proc/inspect.js';
import { isFieldError, parsePid, type Field } from '../proc/read.js';
import { escapeStrings } from '../util/terminal.js';

interface InspectFlags {
  json?: boolean;
  env?: boolean;
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description(
      'one process decoded: ids, namespaces, capabilities, state, memory, signal masks, limits, fds, io, threads',
    )
    .argument('<pid>', 'process id')
    .option('--json', 'print one JSON document')
    .option('--env', 'also show the environment (/proc/PID/environ)')
    .addHelpText('after', '\nExamples:\n  oslens inspect $$\n  oslens inspect --json 1 | jq .fds')
    .action((pidText: string, flags: InspectFlags) => {
      const report = inspectProcess(parsePid(pidText), { env: Boolean(flags.env) });
      process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : renderInspection(report));
    });
}

function show<T>(f: Field<T>, render: (v: T) => string): string {
  return isFieldError(f) ? `(${f.error})` : render(f);
}

function bytes(n: number | null): string {
  return n === null ? '-' : formatBytes(n);
}

function section(title: string, model: string): string {
  return `\n${title}  [model: ${model}]\n`;
}

function fdLine(f: OpenFd): string {
  if (f.target === null) return `  ${String(f.fd).padStart(4)}  (${f.error ?? 'unavailable'})\n`;
  let what = f.target;
  if (f.socket) {
    const s = f.socket;
    what = `${s.protocol}${s.type ? `/${s.type}` : ''} ${s.local}${s.remote && s.protocol !== 'unix' ? ` → ${s.remote}` : ''} ${s.state}`;
  }
  const flags = f.info ? decodeOpenFlags(f.info.flags).join('|') : '';
  const pos = f.info && (f.kind === 'file' || f.kind === 'device') ? ` pos ${f.info.pos}` : '';
  return `  ${String(f.fd).padStart(4)}  ${f.kind.padEnd(10)} ${what}${pos}${flags ? `  ${flags}` : ''}\n`;
}

/** The text report; every string of the process (names, argv, paths, environment) escaped. */
export function renderInspection(report: ProcessInspection): string {
  const r = escapeStrings(report);
  const id = r.identity;
  let o = `${id.pid} (${id.comm})  ${r.state.state} = ${r.state.stateName}\n`;
  o += section('identity', 'process');
  o += `  command   ${show(id.cmdline, (a) => (a.length ? a.join(' ') : `[${id.comm}]`))}\n`;
  o += `  exe       ${show(id.exe, (s) => s)}\n  cwd       ${show(id.cwd, (s) => s)}\n`;
  o += `  pid ${id.pid}  tgid ${id.tgid}  ppid ${id.ppid}  pgrp ${id.pgrp}  session ${id.session}`;
  o += id.nspid.length > 1 ? `  (pid in its namespaces: ${id.nspid.join(' → ')})\n` : '\n';
  o += `  uid ${id.uid.real} (${id.uid.name}) euid ${id.uid.effective} suid ${id.uid.saved}   gid ${id.gid.real} egid ${id.gid.effective}`;
  o += id.groups.length ? `  groups ${id.groups.join(',')}\n` : '\n';
  o += section('namespaces and cgroup', 'namespaces-cgroups');
  o += `  ns        ${show(id.namespaces, (ns) =>
    Object.entries(ns)
      .map(([k, v]) => `${k}:${v}`)
      .join(' '),
  )}\n`;
  o += `  cgroup    ${show(id.cgroup, (c) => {
    const placed = c.filter((e) => e.path !== '/');
    // Every hierarchy at its root (as for init): one short line, not a blank.
    if (placed.length === 0) return c.length === 0 ? '(none)' : '/ (the root cgroup of every hierarchy)';
    return placed.map((e) => (e.controllers.length ? `${e.controllers.join(',')}:${e.path}` : e.path)).join('  ');
  })}\n`;
  const caps = r.capabilities;
  o += section('capabilities', 'process');
  o += `  effective ${caps.fullEffective ? `all ${caps.effective.length} (root-like)` : caps.effective.join(' ') || 'none'}\n`;
  if (caps.permitted.join() !== caps.effective.join()) o += `  permitted ${caps.permitted.join(' ') || 'none'}\n`;
  if (caps.ambient.length) o += `  ambient   ${caps.ambient.join(' ')}\n`;
  o += `  bounding  ${caps.bounding.length} capabilities; no_new_privs ${caps.noNewPrivs ? 'yes' : 'no'}; seccomp ${caps.seccomp ?? '-'}\n`;
  const s = r.state;
  o += section('state and scheduling', 'scheduling');
  o += `  state ${s.state} (${s.stateName})  wchan ${show(s.wchan, (w) => w || '-')}  syscall ${id.kernelThread ? 'none (kernel thread)' : (s.syscallName ?? show(s.syscall, (x) => x.kind))}`;
  o += s.tracerPid ? `  traced by ${s.tracerPid}\n` : '\n';
  // utime/stime come in clock ticks: shown to the tick, no finer.
  const tick = 1 / kernelUnits().clockTicks;
  o += `  cpu user ${formatCpuTicks(s.utime, tick)} sys ${formatCpuTicks(s.stime, tick)} (in ${tick * 1000} ms ticks)  nice ${s.nice}  last cpu ${s.processor}\n`;
  o += `  context switches: ${formatCount(s.voluntaryCtxt)} voluntary (blocked), ${formatCount(s.nonvoluntaryCtxt)} involuntary (preempted)\n`;
  o += `  run queue wait ${show(s.schedstat, (x) => `${formatSeconds(x.waitTime)} over ${formatCount(x.timeslices)} timeslices`)}\n`;
  const m = r.memory;
  o += section('memory', 'virtual-memory');
  o += `  virtual ${bytes(m.vmSize)}  resident ${bytes(m.vmRSS)} (peak ${bytes(m.vmHWM)}): anon ${bytes(m.rssAnon)}, file ${bytes(m.rssFile)}, shmem ${bytes(m.rssShmem)}\n`;
  o += `  data ${bytes(m.vmData)}  stack ${bytes(m.vmStk)}  text ${bytes(m.vmExe)}  libs ${bytes(m.vmLib)}  page tables ${bytes(m.vmPTE)}  swap ${bytes(m.vmSwap)}\n`;
  o += `  faults: ${formatCount(m.minflt)} minor (no I/O), ${formatCount(m.majflt)} major (read from disk)`;
  o += `  pss ${show(m.rollup, (x) => formatBytes(x.pss))}\n`;
  const g = r.signals;
  o += section('signals', 'process');
  const list = (a: string[]) => (a.length ? a.join(' ') : '-');
  o += `  blocked ${list(g.blocked)}\n  ignored ${list(g.ignored)}\n  caught  ${list(g.caught)}\n`;
  o += `  pending ${list(g.pending)}  (shared: ${list(g.sharedPending)})\n`;
  o += section('limits', 'process');
  o += show(r.limits, (ls) =>
    ls
      .filter((l) => l.soft !== null || l.hard !== null)
      .map(
        (l) =>
          `  ${l.name.padEnd(22)} ${String(l.soft ?? 'unlimited').padStart(12)} / ${l.hard ?? 'unlimited'} ${l.unit}`,
      )
      .join('\n'),
  );
  o += '\n';
  o += section('open files', 'file-descriptor');
  o += show(r.fds, (fds) => (fds.length ? fds.map(fdLine).join('') : '  (none)\n'));
  o += section('io', 'page-cache');
  o += show(
    r.io,
    (x) =>
      `  read ${formatBytes(x.rchar)} in ${formatCount(x.syscr)} syscalls (${formatBytes(x.readBytes)} from storage); ` +
      `wrote ${formatBytes(x.wchar)} in ${formatCount(x.syscw)} syscalls (${formatBytes(x.writeBytes)} to storage)`,
  );
  o += '\n';
  o += section('threads', 'thread');
  o += show(r.threads, (ts) =>
    ts
      .map(
        (t) =>
          `  ${String(t.tid).padStart(7)} ${t.state} ${t.comm.padEnd(16)} cpu ${formatCpuTicks(t.utime + t.stime, 1 / kernelUnits().clockTicks)}  ctx ${t.voluntaryCtxt}/${t.nonvoluntaryCtxt}`,
      )
      .join('\n'),
  );
  o += '\n';
  if (r.environ !== undefined) {
    o += section('environment', 'process');
    o += show(r.environ, (e) =>
      Object.entries(e)
        .map(([k, v]) => `  ${k}=${v}`)
        .join('\n'),
    );
    o += '\n';
  }
  return o;
}
