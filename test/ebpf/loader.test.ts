import { existsSync, lstatSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeConfig, CFG_SIZE, NO_FILTER } from '../../src/ebpf/config.js';
import { BpfSession } from '../../src/ebpf/loader.js';
import { slotRange, toBuckets, renderLog2Hist } from '../../src/ebpf/runqlat.js';
import { openFlagsText } from '../../src/ebpf/snoop.js';
import { missingBpfCaps, effectiveCaps } from '../../src/ebpf/caps.js';
import { libbpfLog } from '../../src/native/libbpf.js';
import { skipUnlessCapable } from '../helpers/env.js';
import { loadedBpfProgramIds } from '../helpers/bpf.js';

const fdCount = () => readdirSync('/proc/self/fd').length;

describe('eBPF loader', () => {
  it('encodes the filter config as native/bpf/common.h lays it out', () => {
    const b = encodeConfig({
      filterPids: true,
      followChildren: true,
      cgroupId: 0x1234n,
      comm: 'a-very-long-command-name',
      flags: 6,
    });
    expect(b.length).toBe(CFG_SIZE);
    expect(b.readUInt32LE(0)).toBe(1);
    expect(b.readBigUInt64LE(8)).toBe(0x1234n);
    expect(b.toString('utf8', 16, 31)).toBe('a-very-long-com');
    expect(b[31]).toBe(0); // the kernel's comm is 15 bytes + NUL
    expect(b.readUInt32LE(32)).toBe(6);
    expect(b.readUInt32LE(36)).toBe(process.pid); // self_tgid: oslens's own signals are not events
  });

  it('loads, attaches and releases every object: no fd and no program left behind', ({ skip }) => {
    if (missingBpfCaps(effectiveCaps()).length > 0) skipUnlessCapable(skip, 'eBPF needs CAP_BPF+CAP_PERFMON');
    const fds = fdCount();
    const progs = loadedBpfProgramIds().length;
    for (const tool of ['syscount', 'snoop', 'faults', 'runqlat', 'trace']) {
      const s = new BpfSession(tool, { filter: { ...NO_FILTER, filterPids: true } });
      expect(loadedBpfProgramIds().length, tool).toBeGreaterThan(progs);
      s.close();
      s.close(); // idempotent
    }
    expect(fdCount()).toBe(fds);
  });

  it('a refused load keeps the libbpf log in memory: no file written, a planted symlink untouched', ({ skip }) => {
    if (missingBpfCaps(effectiveCaps()).length > 0) skipUnlessCapable(skip, 'eBPF needs CAP_BPF+CAP_PERFMON');
    // The path an older oslens wrote through, planted as a symlink to a file the "user" wants
    // root to overwrite; and a directory there (the write failed, hiding the real error).
    const planted = join(tmpdir(), `oslens-syscount-${process.pid}.libbpf.log`);
    const victim = join(tmpdir(), `oslens-victim-${process.pid}`);
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, planted);
    const fds = fdCount();
    try {
      // A hash map of 0 entries: the kernel refuses to create it, so the load fails.
      expect(() => new BpfSession('syscount', { filter: NO_FILTER, maxEntries: { procs: 0 } })).toThrow(
        /^the kernel refused the syscount BPF programs \(EINVAL\); rerun with --verbose/,
      );
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
      expect(lstatSync(planted).isSymbolicLink()).toBe(true);
      expect(libbpfLog().join('\n')).toMatch(/procs/);
      expect(fdCount()).toBe(fds);
      const logs = readdirSync(tmpdir()).filter((f) => f.endsWith(`-${process.pid}.libbpf.log`));
      expect(logs).toEqual([basename(planted)]); // only the planted link: no log file of any tool
    } finally {
      rmSync(planted, { force: true });
      rmSync(victim, { force: true });
    }
    expect(existsSync(planted)).toBe(false);
  });
});

describe('formatting helpers', () => {
  it('log2 buckets as BCC prints them', () => {
    expect(slotRange(0)).toEqual({ lowUs: 0, highUs: 1 });
    expect(slotRange(3)).toEqual({ lowUs: 8, highUs: 15 });
    const b = toBuckets([1, 0, 4, 0, 0]);
    expect(b.map((x) => x.count)).toEqual([1, 0, 4]);
    expect(renderLog2Hist(b)).toMatch(/4 -> 7\s+: 4\s+\|\*{40}\|/);
  });

  it('open flags as strace writes them', () => {
    expect(openFlagsText(0o2000000)).toBe('O_RDONLY|O_CLOEXEC');
    expect(openFlagsText(0o1101)).toBe('O_WRONLY|O_CREAT|O_TRUNC');
  });
});
