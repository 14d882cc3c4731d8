/**
 * The diagnosis behind `oslens why PID`: from the records of one process, the plain-words reasons
 * it is in its state and what would move it. Pure: records in, reasons out.
 */
import { syscallByNr } from '../trace/syscalls.js';
import type { Field } from './read.js';
import { isFieldError } from './read.js';
import { SIGINT, SIGTERM, decodeSignalMask, maskHas } from './signals.js';
import { stateName, type ProcessStat, type SyscallState } from './stat.js';
import type { ProcessStatus } from './status.js';

export const REASON_CODES = [
  'running',
  'sleeping',
  'uninterruptible',
  'stopped',
  'traced',
  'zombie',
  'dead',
  'idle',
  'kernel-thread',
  'sigterm-ignored',
  'sigterm-blocked',
  'sigterm-caught',
  'sigint-ignored',
  'sigint-blocked',
  'sigint-caught',
  'signals-pending',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  text: string;
}

/** The `why --json` document. */
export interface WhyReport {
  pid: number;
  state: string;
  stateName: string;
  reasons: Reason[];
  comm: string;
  ppid: number;
  wchan: string | null;
  syscall: string | null;
  tracerPid: number;
}

export interface WhyInput {
  stat: ProcessStat;
  status: ProcessStatus;
  wchan: Field<string>;
  syscall: Field<SyscallState>;
  /** comm of the parent, when readable. */
  parentComm?: string;
  /** comm of the tracer, when traced. */
  tracerComm?: string;
  /** The cgroup v1 freezer directory holding it, when that group is FROZEN. */
  frozenIn?: string;
}

/** vfork (58), clone (56) and clone3 (435): a parent in D inside them waits for its vfork child. */
const VFORK_LIKE = new Set([56, 58, 435]);

export function syscallLabel(s: Field<SyscallState>): string | null {
  if (isFieldError(s)) return null;
  if (s.kind !== 'syscall' || s.nr === undefined) return null;
  const name = syscallByNr(s.nr)?.name;
  return name ? `${name} (#${s.nr})` : `syscall #${s.nr}`;
}

export function explainProcess(input: WhyInput): WhyReport {
  const { stat, status } = input;
  const pid = stat.pid;
  const wchan = isFieldError(input.wchan) ? null : input.wchan || null;
  const kthread = status.kthread ?? stat.kernelThread;
  // A kernel thread's /proc/PID/syscall reads "0 0x0 ..." (not read(2)): it makes no syscalls.
  const syscall = kthread ? null : syscallLabel(input.syscall);
  const where = [wchan && `in the kernel function ${wchan}`, syscall && `inside the ${syscall} syscall`]
    .filter(Boolean)
    .join(', ');
  const waitNote = where ? ` It waits ${where}.` : isFieldError(input.wchan) ? ' (wchan: permission denied)' : '';
  const parent = `${stat.ppid}${input.parentComm ? ` (${input.parentComm})` : ''}`;
  const reasons: Reason[] = [];
  const add = (code: ReasonCode, text: string) => reasons.push({ code, text });

  switch (stat.state) {
    case 'R':
      add(
        'running',
        'Runnable: it is on a CPU or waiting in a run queue for one. It counts in the load average. ' +
          'It moves when its time slice ends (preemption) or it blocks on something.',
      );
      break;
    case 'S':
      add(
        'sleeping',
        `Interruptible sleep: it waits for an event (I/O, timer, lock, child, signal).${waitNote} ` +
          'It uses no CPU and does not count in the load average; the event or any signal it does not ignore wakes it.',
      );
      break;
    case 'D':
      if (input.frozenIn) {
        add(
          'uninterruptible',
          `Frozen (shown as D): its cgroup ${input.frozenIn} is FROZEN (cgroup v1 freezer), so it does not run at all.${waitNote} ` +
            'Frozen tasks do not count in the load average, and no signal acts, not even SIGKILL, until the group is thawed: ' +
            `echo THAWED > /sys/fs/cgroup/freezer${input.frozenIn}/freezer.state.`,
        );
        break;
      }
      if (input.syscall && !isFieldError(input.syscall) && VFORK_LIKE.has(input.syscall.nr ?? -1)) {
        add(
          'uninterruptible',
          `Uninterruptible sleep (D), but not for I/O: it called vfork (or clone with CLONE_VFORK).${waitNote} It sleeps in D until its child calls execve or exits: ` +
            'the child borrows its memory until then. The wait is killable (SIGKILL works), and it counts in the load ' +
            'average meanwhile. What moves it: the child execs or exits (see oslens ps --tree for the child).',
        );
        break;
      }
      add(
        'uninterruptible',
        `Uninterruptible sleep (D): it waits for the kernel to finish something, usually disk or network file-system I/O.${waitNote} ` +
          'It counts in the load average even though it uses no CPU, and it does not react to signals (not even SIGKILL, ' +
          'unless the wait is killable) until it leaves D: what moves it is the I/O completing (a slow or dead disk, a hung NFS server).',
      );
      break;
    case 'T':
      add(
        'stopped',
        'Stopped by a job-control signal (SIGSTOP, or SIGTSTP/SIGTTIN/SIGTTOU from the terminal): it will not run until it ' +
          `gets SIGCONT. Resume it with: kill -CONT ${pid} (or \`fg\` in the shell that started it). ` +
          'SIGKILL still works while stopped; other signals wait until it continues.',
      );
      break;
    case 't':
      add(
        'traced',
        `Stopped by its tracer, pid ${status.tracerPid}${input.tracerComm ? ` (${input.tracerComm})` : ''} ` +
          '(a debugger or strace, via ptrace): it runs again when the tracer continues it or detaches ' +
          '(quit the debugger or strace).',
      );
      break;
    case 'Z':
      add(
        'zombie',
        `Zombie: it has exited, and its exit status waits for its parent, pid ${parent}, to collect it with wait(). ` +
          'It holds no memory, only a process-table slot; kill cannot remove it (it is already dead). ' +
          `What helps: the parent calling wait(), or ending the parent (kill ${stat.ppid}), so init adopts and reaps it.`,
      );
      break;
    case 'X':
    case 'x':
      add('dead', 'Dead: being removed right now; it will be gone in a moment.');
      break;
    case 'I':
      add('idle', 'Idle kernel thread: waiting for work; it does not count in the load average.');
      break;
  }
  if (status.tracerPid !== 0 && stat.state !== 't') {
    add(
      'traced',
      `Traced by pid ${status.tracerPid}${input.tracerComm ? ` (${input.tracerComm})` : ''}: every syscall or signal may stop it for the tracer.`,
    );
  }
  if (kthread) {
    add('kernel-thread', 'A kernel thread: it lives in the kernel, has no user memory, and ignores user signals.');
  }

  if (!kthread && stat.state !== 'Z' && stat.state !== 'X') {
    signalReasons(status, add);
    const pending = [...new Set([...decodeSignalMask(status.sigPnd), ...decodeSignalMask(status.shdPnd)])];
    if (pending.length > 0) {
      add(
        'signals-pending',
        `Signals pending (sent, not yet delivered): ${pending.join(', ')}. ` +
          'They are delivered when the process runs and unblocks them.',
      );
    }
  }
  return {
    pid,
    state: stat.state,
    stateName: stateName(stat.state),
    reasons,
    comm: stat.comm,
    ppid: stat.ppid,
    wchan,
    syscall,
    tracerPid: status.tracerPid,
  };
}

function signalReasons(status: ProcessStatus, add: (code: ReasonCode, text: string) => void): void {
  const sigs: [number, string, 'sigterm' | 'sigint', string][] = [
    [SIGTERM, 'SIGTERM', 'sigterm', 'kill PID'],
    [SIGINT, 'SIGINT', 'sigint', 'Ctrl-C'],
  ];
  for (const [n, name, prefix, how] of sigs) {
    if (maskHas(status.sigIgn, n)) {
      add(
        `${prefix}-ignored` as ReasonCode,
        `It ignores ${name} (SIG_IGN): \`${how}\` does nothing at all. SIGKILL cannot be ignored: kill -KILL ${status.pid} ` +
          "(no cleanup runs, so try the program's own way of stopping first).",
      );
    } else if (maskHas(status.sigBlk, n)) {
      add(
        `${prefix}-blocked` as ReasonCode,
        `It blocks ${name} (in its signal mask): a ${name} stays pending until it unblocks it. ` +
          `SIGKILL cannot be blocked: kill -KILL ${status.pid}.`,
      );
    } else if (maskHas(status.sigCgt, n)) {
      add(
        `${prefix}-caught` as ReasonCode,
        `It catches ${name} with a handler: \`${how}\` runs that code, which may clean up and exit, or carry on. ` +
          `If it does not exit, SIGKILL cannot be caught: kill -KILL ${status.pid}.`,
      );
    }
  }
}

/** One task for `why --load`. */
export interface LoadTask {
  pid: number;
  tid: number;
  comm: string;
  state: string;
  wchan: string | null;
}
