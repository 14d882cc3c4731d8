import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OpenProcFiles, parseStatBytes, schedstatField } from '../../src/proc/open-files.js';
import { parseStat } from '../../src/proc/stat.js';
import { blockChart } from '../../src/ui/collect/history.js';
import { sampleProcesses, type ProcessSample } from '../../src/ui/collect/processes.js';

const UNITS = { clockTicks: 100, pageSize: 4096 };

describe('top per-tick readers', () => {
  it('parseStatBytes agrees with parseStat (a comm with spaces and parentheses)', () => {
    const text =
      '4242 (a (b) c) S 1 4242 4242 34817 -1 4194560 1234 0 56 0 700 300 0 0 25 5 3 0 98765 123456789 2048 ' +
      '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';
    const buf = Buffer.from(text);
    const fast = parseStatBytes(buf, buf.length, UNITS);
    const slow = parseStat(text, UNITS);
    expect(fast).toEqual({
      comm: slow.comm,
      state: slow.state,
      ppid: slow.ppid,
      ttyNr: slow.ttyNr,
      nice: slow.nice,
      flags: slow.flags,
      minflt: slow.minflt,
      majflt: slow.majflt,
      cpuSeconds: slow.utime + slow.stime,
      threads: slow.threads,
      startTime: slow.startTime,
      rss: slow.rss,
      vsize: slow.vsize,
    });
  });

  it('reads our own stat and schedstat through a file kept open, twice', () => {
    const files = new OpenProcFiles();
    try {
      for (let i = 0; i < 2; i++) {
        const n = files.read(`/proc/${process.pid}/stat`);
        expect(n).toBeGreaterThan(0);
        expect(parseStatBytes(files.buf, n, UNITS)?.comm).toBeTruthy();
      }
      expect(files.openCount).toBe(1);
      const m = files.read(`/proc/${process.pid}/schedstat`);
      if (m > 0) {
        expect(schedstatField(files.buf, m, 2)).toBeGreaterThan(0);
        expect(schedstatField(files.buf, m, 0)).toBeGreaterThan(0);
      }
      expect(files.read('/proc/999999999/stat')).toBe(-1);
      files.prune(new Set());
      expect(files.openCount).toBe(0);
    } finally {
      files.close();
    }
  });

  it('readAll reads a batch in one native call: the same bytes as readFileSync, -1 for a missing file, a large one read alone', () => {
    const files = new OpenProcFiles();
    try {
      const paths = [`/proc/${process.pid}/comm`, '/proc/999999999/stat', '/proc/self/cmdline', '/proc/meminfo'];
      // meminfo is larger than a 256-byte slot: read again alone.
      const r = files.readAll(paths, 256);
      const slice = (i: number) => r.buf(i).toString('latin1', r.start(i), r.start(i) + r.len(i));
      expect(r.len(1)).toBe(-1);
      expect(slice(3).startsWith('MemTotal:')).toBe(true);
      expect(slice(2)).toBe(readFileSync('/proc/self/cmdline', 'latin1'));
      expect(slice(0)).toBe(readFileSync(`/proc/${process.pid}/comm`, 'latin1'));
      expect(r.len(3)).toBeGreaterThan(256);
    } finally {
      files.close();
    }
  });

  it('blockChart rises in eighths, newest on the right', () => {
    expect(blockChart([0, 50, 100], 4, 2, 100)).toEqual(['   █', '  ██']);
    expect(blockChart([25], 1, 1, 100)).toEqual(['▂']);
  });
});

describe("top's per-tick process sampler (schedstat first)", () => {
  it('keeps the sample of a process that slept, re-reads one that ran', async () => {
    // A python child that blocks on stdin, and touches 64 MiB when it reads a line.
    const child = spawn(
      'python3',
      [
        '-c',
        'import sys\nprint("ready", flush=True)\nfor l in sys.stdin:\n    b = bytearray(64 << 20)\n    b[::4096] = b"x" * (len(b) // 4096)\n    print("ok", flush=True)\n',
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const line = () => new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const files = new OpenProcFiles();
    try {
      const pid = child.pid as number;
      // Started, then blocked in read() on stdin.
      await line();
      await new Promise((r) => setTimeout(r, 100));
      const first = sampleProcesses(undefined, files, [pid]);
      await new Promise((r) => setTimeout(r, 200));
      const once = sampleProcesses(first, files, [pid]);
      const slept = sampleProcesses(once, files, [pid]);
      expect(slept.get(pid)).toBeDefined();
      // Not run since: schedstat unchanged, so the very same sample (stat not even read). A
      // sleeper's stat is refreshed once every 10 ticks (staggered by pid), so of two
      // consecutive ticks at least one keeps the sample as it was.
      expect(once.get(pid) === first.get(pid) || slept.get(pid) === once.get(pid)).toBe(true);
      child.stdin.write('go\n');
      await line();
      const ran = sampleProcesses(slept, files, [pid]);
      const before = slept.get(pid) as ProcessSample;
      const after = ran.get(pid) as ProcessSample;
      expect(after).not.toBe(before);
      expect(after.rss - before.rss).toBeGreaterThan(60 * 1024 * 1024);
      expect(after.minflt).toBeGreaterThan(before.minflt);
      expect(after.runNs ?? 0).toBeGreaterThan(before.runNs ?? 0);
    } finally {
      child.kill('SIGKILL');
      files.close();
    }
  });

  it('reads the command line again after an exec (same pid and start time, new name)', async () => {
    const child = spawn('sh', ['-c', 'echo ready; read x; exec sleep 30'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const files = new OpenProcFiles();
    try {
      const pid = child.pid as number;
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const before = sampleProcesses(undefined, files, [pid]);
      expect(before.get(pid)?.command).toMatch(/^sh -c /);
      child.stdin.write('go\n');
      let after = before;
      for (let i = 0; i < 50 && after.get(pid)?.comm !== 'sleep'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        after = sampleProcesses(after, files, [pid]);
      }
      expect(after.get(pid)?.command).toBe('sleep 30');
    } finally {
      child.kill('SIGKILL');
      files.close();
    }
  });
});
