/**
 * What this machine lets oslens do with eBPF (and ptrace): capabilities, BTF, tracefs, kernel,
 * Yama. Used by every eBPF command before it loads anything, and listed by `oslens doctor`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { ExitCode, UserError } from '../util/errors.js';

export const CAP = { SYS_ADMIN: 21, SYS_PTRACE: 19, PERFMON: 38, BPF: 39 } as const;
const CAP_NAMES: Record<number, string> = {
  19: 'CAP_SYS_PTRACE',
  21: 'CAP_SYS_ADMIN',
  38: 'CAP_PERFMON',
  39: 'CAP_BPF',
};

/** The effective capability set of this process, from /proc/self/status (CapEff, hex). */
export function effectiveCaps(statusText = readFileSync('/proc/self/status', 'utf8')): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(statusText);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

export function hasCap(caps: bigint, cap: number): boolean {
  return ((caps >> BigInt(cap)) & 1n) === 1n;
}

/** The capabilities BPF tracing needs that this process lacks (CAP_SYS_ADMIN covers both). */
export function missingBpfCaps(caps = effectiveCaps()): string[] {
  if (hasCap(caps, CAP.SYS_ADMIN)) return [];
  return [CAP.BPF, CAP.PERFMON].filter((c) => !hasCap(caps, c)).map((c) => CAP_NAMES[c] ?? `cap ${c}`);
}

export const BTF_PATH = '/sys/kernel/btf/vmlinux';

export function kernelVersion(): { text: string; major: number; minor: number } {
  const text = release();
  const m = /^(\d+)\.(\d+)/.exec(text);
  return { text, major: Number(m?.[1] ?? 0), minor: Number(m?.[2] ?? 0) };
}

export function tracefsMounted(mounts = readFileSync('/proc/mounts', 'utf8')): boolean {
  return mounts.split('\n').some((l) => l.split(' ')[2] === 'tracefs');
}

/** Yama's ptrace_scope (0 classic, 1 restricted to descendants, 2 admin only, 3 none), or null. */
export function yamaPtraceScope(): number | null {
  try {
    return Number(readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim());
  } catch {
    return null;
  }
}

/**
 * Throws the one-line error an eBPF command prints when it cannot run here: the missing
 * capability (exit 5), no BTF, or a kernel too old for the programs (tp_btf, task storage, 5.11).
 */
export function requireBpf(command: string): void {
  const missing = missingBpfCaps();
  if (missing.length > 0) {
    throw new UserError(
      `${command} needs ${missing.join(' and ')} (run as root, or grant CAP_BPF+CAP_PERFMON); see \`oslens doctor\``,
      ExitCode.missingCapability,
    );
  }
  if (!existsSync(BTF_PATH)) {
    throw new UserError(
      `${command} needs kernel BTF (${BTF_PATH} is missing): use a kernel built with CONFIG_DEBUG_INFO_BTF=y`,
    );
  }
  const k = kernelVersion();
  if (k.major < 5 || (k.major === 5 && k.minor < 11)) {
    throw new UserError(`${command} needs Linux 5.11 or newer (tp_btf programs, task storage); this is ${k.text}`);
  }
}
