/** `oslens doctor` (alias `caps`): which features run on this machine, and why not. */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  BTF_PATH,
  CAP,
  effectiveCaps,
  hasCap,
  kernelVersion,
  missingBpfCaps,
  tracefsMounted,
  yamaPtraceScope,
} from '../ebpf/caps.js';

export interface Check {
  feature: string;
  ok: boolean;
  detail: string;
}

function libbpfPresent(): boolean {
  return [
    '/lib/x86_64-linux-gnu/libbpf.so.1',
    '/usr/lib/x86_64-linux-gnu/libbpf.so.1',
    '/usr/lib64/libbpf.so.1',
    '/usr/lib/libbpf.so.1',
  ].some((p) => existsSync(p));
}

function readNumber(path: string): number | null {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return null;
  }
}

export function runChecks(): Check[] {
  const caps = effectiveCaps();
  const root = process.getuid?.() === 0;
  const missing = missingBpfCaps(caps);
  const k = kernelVersion();
  const kernelOk = k.major > 5 || (k.major === 5 && k.minor >= 11);
  const btf = existsSync(BTF_PATH);
  const lib = libbpfPresent();
  const scope = yamaPtraceScope();
  const ptraceCap = hasCap(caps, CAP.SYS_PTRACE);
  const ebpfWhy = [
    missing.length > 0 ? `missing ${missing.join(' and ')} (run as root)` : '',
    btf ? '' : `no kernel BTF (${BTF_PATH})`,
    kernelOk ? '' : `kernel ${k.text} < 5.11`,
    lib ? '' : 'libbpf.so.1 not installed (apt-get install libbpf1)',
  ].filter(Boolean);
  const ebpfOk = ebpfWhy.length === 0;
  const checks: Check[] = [
    {
      feature: 'privileges',
      ok: root || missing.length === 0,
      detail: root
        ? 'root'
        : missing.length === 0
          ? 'CAP_BPF+CAP_PERFMON'
          : `uid ${process.getuid?.()}, missing ${missing.join(', ')}`,
    },
    { feature: 'kernel', ok: kernelOk, detail: `${k.text}${kernelOk ? '' : ' (eBPF tools need 5.11+)'}` },
    { feature: 'BTF', ok: btf, detail: btf ? BTF_PATH : `${BTF_PATH} missing: kernel needs CONFIG_DEBUG_INFO_BTF=y` },
    { feature: 'libbpf', ok: lib, detail: lib ? 'libbpf.so.1' : 'libbpf.so.1 missing (apt-get install libbpf1)' },
    {
      feature: 'tracefs',
      ok: tracefsMounted(),
      detail: tracefsMounted()
        ? 'mounted'
        : 'not mounted (oslens does not need it: tp_btf/raw_tp attach without it; bpftrace and perf trace do: mount -t tracefs nodev /sys/kernel/tracing)',
    },
    {
      feature: 'syscount, snoop, faults, runqlat, trace --ebpf',
      ok: ebpfOk,
      detail: ebpfOk ? 'eBPF: will run' : ebpfWhy.join('; '),
    },
    {
      feature: 'trace (ptrace) of own children',
      ok: scope !== 3,
      detail:
        scope === null
          ? 'no Yama: classic ptrace rules'
          : `yama ptrace_scope=${scope}${scope === 3 ? ': ptrace disabled' : ''}`,
    },
    {
      feature: 'trace -p PID (attach)',
      ok: scope === null || scope === 0 || ((scope === 1 || scope === 2) && ptraceCap),
      detail:
        scope === null || scope === 0
          ? 'same-user processes, any with CAP_SYS_PTRACE'
          : ptraceCap
            ? `yama ptrace_scope=${scope}, CAP_SYS_PTRACE present`
            : `yama ptrace_scope=${scope}: needs CAP_SYS_PTRACE (or sysctl kernel.yama.ptrace_scope=0)`,
    },
  ];
  const paranoid = readNumber('/proc/sys/kernel/perf_event_paranoid');
  checks.push({
    feature: 'perf events (software)',
    ok: root || hasCap(caps, CAP.PERFMON) || (paranoid !== null && paranoid <= 2),
    detail: `perf_event_paranoid=${paranoid ?? '?'}`,
  });
  return checks;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .alias('caps')
    .description(
      'list which oslens features run on this machine, and why not (privileges, BTF, tracefs, kernel, ptrace)',
    )
    .option('--json', 'print { checks: [{ feature, ok, detail }] }')
    .action((flags: { json?: boolean }) => {
      const checks = runChecks();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ checks })}\n`);
        return;
      }
      const width = Math.max(...checks.map((c) => c.feature.length));
      for (const c of checks)
        process.stdout.write(`${c.ok ? 'ok  ' : 'NO  '} ${c.feature.padEnd(width)}  ${c.detail}\n`);
    });
}
