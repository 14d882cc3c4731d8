/**
 * The host facts behind the figures: parsers on captured text and generated input, readers
 * against independent tools on this machine (lscpu, findmnt, uname), and the lesson sentences.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bracketed,
  factsForModel,
  hostFactLines,
  hypervisorFromDmi,
  mountOf,
  parseClocksource,
  parseCmdline,
  preemptionFromConfig,
  preemptionFromDebugfs,
  preemptionFromVersion,
  readDiskFacts,
  readHostFacts,
} from '../../src/bench/host-facts.js';
import { folkloreNotes } from '../../src/bench/compare.js';
import type { BenchResult, RatioResult } from '../../src/bench/types.js';
import { skipUnlessCapable } from '../helpers/env.js';

const tool = (cmd: string, args: string[]): string | null => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' });
  } catch {
    return null;
  }
};

describe('parsers', () => {
  it('read the formats the kernel writes', () => {
    expect(bracketed('always [madvise] never\n')).toBe('madvise');
    expect(bracketed('always defer defer+madvise [madvise] never')).toBe('madvise');
    expect(bracketed('none')).toBeNull();
    expect(parseClocksource('tsc\n', 'tsc kvm-clock \n')).toEqual({
      current: 'tsc',
      available: ['tsc', 'kvm-clock'],
      vdsoCapable: true,
    });
    expect(parseClocksource('hpet\n', 'hpet acpi_pm\n').vdsoCapable).toBe(false);
    expect(preemptionFromDebugfs('none voluntary (full) lazy\n')).toBe('full');
    expect(preemptionFromVersion('#1 SMP PREEMPT_DYNAMIC Thu Jan  1')).toBe('dynamic');
    expect(preemptionFromVersion('#1 SMP PREEMPT_RT Thu')).toBe('rt');
    expect(preemptionFromVersion('#1 SMP Thu')).toBeNull();
    expect(preemptionFromConfig('CONFIG_PREEMPT_BUILD=y\nCONFIG_PREEMPT_NONE=y\n# CONFIG_PREEMPT is not set\n')).toBe(
      'none',
    );
    expect(preemptionFromConfig('CONFIG_PREEMPT_VOLUNTARY=y\n')).toBe('voluntary');
    expect(hypervisorFromDmi('QEMU', 'Standard PC (Q35 + ICH9, 2009)')).toBe('KVM');
    expect(hypervisorFromDmi('Microsoft Corporation', 'Virtual Machine')).toBe('Hyper-V');
    expect(hypervisorFromDmi('Dell Inc.', 'PowerEdge R650')).toBeNull();
  });

  it('keeps the kernel options that change a figure, never what follows "--" (init arguments)', () => {
    const line =
      'BOOT_IMAGE=/vmlinuz root=/dev/vda ro quiet mitigations=off nohz_full=1-3 isolcpus=2 preempt=full ' +
      'transparent_hugepage=never console=ttyS0 -- --mitigations=off nohz=on';
    expect(parseCmdline(line)).toEqual([
      'mitigations=off',
      'nohz_full=1-3',
      'isolcpus=2',
      'preempt=full',
      'transparent_hugepage=never',
    ]);
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z_.]{1,12}(=[a-z0-9,]{0,8})?$/), { maxLength: 12 }), (words) => {
        const kept = parseCmdline(words.join(' '));
        for (const k of kept) expect(words).toContain(k);
        expect(parseCmdline(`${words.join(' ')} -- mitigations=off`)).toEqual(kept);
      }),
    );
  });

  it('finds the mount holding a directory, escapes included', () => {
    const info = [
      '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
      '23 22 0:21 / /tmp rw shared:2 - tmpfs tmpfs rw',
      '24 22 259:3 / /mnt/my\\040disk rw - xfs /dev/nvme0n1p3 rw',
    ].join('\n');
    expect(mountOf('/var/tmp', info)).toEqual({ point: '/', majorMinor: '254:0', fsType: 'ext4' });
    expect(mountOf('/tmp/x', info)?.fsType).toBe('tmpfs');
    expect(mountOf('/tmpfoo', info)?.fsType).toBe('ext4'); // a prefix of the name is not a parent
    expect(mountOf('/mnt/my disk/a', info)).toEqual({ point: '/mnt/my disk', majorMinor: '259:3', fsType: 'xfs' });
  });
});

describe('this machine', () => {
  const facts = readHostFacts();

  it('agrees with lscpu on the hypervisor and the CPU vulnerabilities', (ctx) => {
    const out = tool('lscpu', []);
    if (out === null) return skipUnlessCapable(ctx.skip, 'no lscpu (util-linux)');
    const vendor = /^Hypervisor vendor:\s*(.+)$/m.exec(out)?.[1]?.trim();
    expect(facts.hypervisor.guest).toBe(/^Flags:.*\bhypervisor\b/m.test(out));
    if (vendor === 'KVM') expect(facts.hypervisor.vendor).toMatch(/KVM/);
    for (const m of out.matchAll(/^Vulnerability ([^:]+):\s*(.+)$/gm)) {
      const name = m[1]!.trim().toLowerCase().replace(/ /g, '_');
      const state = facts.mitigations[name];
      expect(state, name).toBeDefined();
      // lscpu writes "Mitigation; X" where the kernel writes "Mitigation: X"
      expect(state!.split(/[:;]/)[0], name).toBe(m[2]!.split(/[:;]/)[0]);
    }
  });

  it('reads the clocksource, THP modes and preemption the kernel reports', () => {
    const cs = '/sys/devices/system/clocksource/clocksource0/current_clocksource';
    expect(facts.clocksource?.current).toBe(readFileSync(cs, 'utf8').trim());
    expect(facts.clocksource?.available).toContain(facts.clocksource?.current);
    const thp = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
    expect(thp).toContain(`[${facts.thp.enabled}]`);
    const version = tool('uname', ['-v']) ?? '';
    if (/PREEMPT_RT/.test(version)) expect(facts.preemption.model).toBe('rt');
    expect(['none', 'voluntary', 'full', 'lazy', 'rt', null]).toContain(facts.preemption.model);
    if (facts.cpufreq.mhz !== null) expect(facts.cpufreq.mhz).toBeGreaterThan(100);
  });

  it('names the disk under a directory as findmnt and lsblk do', (ctx) => {
    const source = tool('findmnt', ['-n', '-o', 'SOURCE', '--target', '/var/tmp'])?.trim();
    if (source === undefined) return skipUnlessCapable(ctx.skip, 'no findmnt (util-linux)');
    const disk = readDiskFacts('/var/tmp');
    if (!source.startsWith('/dev/')) {
      expect(disk.device, `/var/tmp is on ${source}`).toBeNull(); // overlay, tmpfs: no block device
      return;
    }
    const parent = tool('lsblk', ['-n', '-o', 'PKNAME', source])?.trim();
    expect(disk.device).toBe(parent || source.slice('/dev/'.length));
    expect(disk.fsType).toBe(tool('findmnt', ['-n', '-o', 'FSTYPE', '--target', '/var/tmp'])?.trim());
    expect(readDiskFacts('/proc').device).toBeNull();
  });

  it('puts the facts in the header, and the right ones in each lesson', () => {
    const disk = readDiskFacts('/var/tmp');
    const lines = hostFactLines({ ...facts, disk }).join('\n');
    expect(lines).toContain(`clocksource ${facts.clocksource!.current}`);
    expect(lines).toContain(`THP ${facts.thp.enabled}`);
    expect(lines).toMatch(/CPU mitigations: /);
    expect(factsForModel('syscall-boundary', facts).join(' ')).toContain(`clocksource ${facts.clocksource!.current}`);
    expect(factsForModel('page-table-tlb', facts).join(' ')).toContain(`THP is "${facts.thp.enabled}"`);
    expect(factsForModel('page-cache', { ...facts, disk }).join(' ')).toContain('/var/tmp');
    expect(factsForModel('ipc', facts)).toEqual([]);
    const hpet = factsForModel('syscall-boundary', { clocksource: parseClocksource('hpet', 'hpet') });
    expect(hpet[0]).toMatch(/cannot read it from user space/);
  });
});

describe('the folklore notes name the facts behind a figure', () => {
  const result = (id: string, note: string | null = null) => ({ id, nsPerOp: 100, note }) as unknown as BenchResult;

  it('the vDSO note names the clocksource, the wakeup note the halted vCPU', () => {
    const vdso = { row: 'vdso-vs-syscall', measured: 5, reference: 50 } as RatioResult;
    const notes = folkloreNotes(
      [
        result('wakeup-1ms', 'overshoot over 50 sleeps: min 1, p50 90000, p99 2, max 3 ns'),
        result('wakeup-1ms-hog', 'min 1, p50 70000, p99 2, max 3 ns'),
      ],
      [vdso],
      1 << 20,
      { freePageReporting: false, clocksource: parseClocksource('kvm-clock', 'kvm-clock tsc'), hypervisor: 'KVM' },
    ).join('\n');
    expect(notes).toMatch(/clocksource is kvm-clock on this KVM guest/);
    expect(notes).toMatch(
      /wakes sooner beside a CPU hog \(p50 70\.0 µs\) than on an idle CPU \(90\.0 µs\).*halted vCPU of this KVM guest/,
    );
    const hpet = folkloreNotes([], [vdso], 1 << 20, {
      freePageReporting: false,
      clocksource: parseClocksource('hpet', 'hpet'),
    });
    expect(hpet.join()).toMatch(/hpet, which the vDSO cannot read/);
    // an idle wakeup faster than a busy one says nothing
    expect(
      folkloreNotes([result('wakeup-1ms', 'p50 50000'), result('wakeup-1ms-hog', 'p50 90000')], [], 1 << 20),
    ).toEqual([]);
  });
});
