/**
 * `oslens profile` on the real kernel (root): against `perf record -F 99 -g` on the same busy C
 * program (two hot functions, 3:1 work), its outputs read back by their real consumers
 * (`go tool pprof`, the folded format's arithmetic), and the bad inputs of the issue: a process
 * that exits mid-profile, a stripped binary, no capability (exit 5), a process in another mount
 * namespace, Ctrl-C — with nothing left loaded after any of them.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OSLENS, oslens, skipUnlessCapable } from '../helpers/env.js';
import { asNobody, canSwitchToNobody } from '../helpers/unprivileged.js';
import { MIXED_SOURCE, buildElfFixtures, type ElfFixtures } from '../symbols/fixtures.js';

const ROOT = process.getuid?.() === 0;
const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

interface JsonProfile {
  samples: number;
  hz: number;
  top: Array<{ name: string; module: string; kind: string; self: number; selfPercent: number; totalPercent: number }>;
  stacks: Array<{
    pid: number;
    comm: string;
    samples: number;
    frames: Array<{ name: string | null; module: string; kind: string }>;
  }>;
  modulesWithoutSymbols: string[];
  exited: number[];
  lost: { userStacks: number; kernelStacks: number; samples: number };
}

let fx: ElfFixtures;
const running: ChildProcess[] = [];
beforeAll(() => {
  fx = buildElfFixtures();
});
afterAll(() => {
  for (const c of running) c.kill('SIGKILL');
  fx?.remove();
});

function spinForever(bin: string): ChildProcess {
  const c = spawn(bin, ['-1'], { stdio: 'ignore' });
  running.push(c);
  return c;
}

function profileJson(args: string[], timeout = 120_000): { json: JsonProfile; stderr: string; status: number | null } {
  const r = oslens(['profile', '--json', '--top', '50', ...args], { timeout });
  if (r.status !== 0) throw new Error(`oslens profile exited ${r.status}: ${r.stderr}`);
  return { json: JSON.parse(r.stdout) as JsonProfile, stderr: r.stderr, status: r.status };
}

/** Self shares (%) by leaf function of `perf script` output (user stacks). */
function perfSelfShares(script: string): Map<string, number> {
  const leaf = new Map<string, number>();
  let total = 0;
  for (const block of script.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => /^\s+[0-9a-f]+ /.test(l));
    const first = lines[0]?.trim().split(/\s+/)[1];
    if (!first) continue;
    total++;
    leaf.set(first, (leaf.get(first) ?? 0) + 1);
  }
  return new Map([...leaf].map(([k, v]) => [k, (100 * v) / total]));
}

const bpfProgramNames = () =>
  (
    JSON.parse(execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' })) as Array<{ name?: string }>
  ).map((p) => p.name ?? '');

describe('oslens profile against perf record (real kernel)', () => {
  it('finds the same top functions as perf record -F 99 -g, with shares within 10 points', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF and perf need root');
    if (!have('perf')) skipUnlessCapable(skip, 'perf is not installed (apt-get install linux-perf)');
    const spin = spinForever(fx.full);
    const dir = mkdtempSync(join(tmpdir(), 'oslens-perf-'));
    try {
      // Both sample the same seconds of the same process.
      const perf = spawn(
        'perf',
        ['record', '-F', '99', '-g', '-o', join(dir, 'perf.data'), '-p', String(spin.pid), '--', 'sleep', '8'],
        {
          stdio: 'ignore',
        },
      );
      const ours = spawn(
        process.execPath,
        [OSLENS, 'profile', '-F', '99', '--user', '-p', String(spin.pid), '--duration', '8', '--json', '--top', '50'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      ours.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      await Promise.all([new Promise((r) => perf.once('exit', r)), new Promise((r) => ours.once('exit', r))]);
      const json = JSON.parse(out) as JsonProfile;
      const script = execFileSync('perf', ['script', '-i', join(dir, 'perf.data'), '-F', 'ip,sym'], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
      const perfShares = perfSelfShares(script);
      const perfTop = [...perfShares]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 2)
        .map(([k]) => k);
      const oursTop = json.top.slice(0, 2).map((t) => t.name);
      expect(json.samples).toBeGreaterThan(50);
      expect(new Set(oursTop)).toEqual(new Set(['hot_three', 'hot_one']));
      expect(new Set(perfTop)).toEqual(new Set(oursTop));
      for (const name of oursTop) {
        const mine = json.top.find((t) => t.name === name)!.selfPercent;
        expect(Math.abs(mine - perfShares.get(name)!)).toBeLessThan(10);
      }
      // The work ratio is 3:1 (the loops differ slightly, so only roughly).
      const ratio =
        json.top.find((t) => t.name === 'hot_three')!.self / json.top.find((t) => t.name === 'hot_one')!.self;
      expect(ratio).toBeGreaterThan(1.5);
      expect(ratio).toBeLessThan(6);
    } finally {
      spin.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('outputs', () => {
  it('--pprof is read by go tool pprof with the same top functions, --folded adds up, --svg is written', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    if (!have('go'))
      skipUnlessCapable(skip, 'go is not installed (apt-get install golang-go): go tool pprof is the oracle');
    const dir = mkdtempSync(join(tmpdir(), 'oslens-profile-out-'));
    try {
      const pprof = join(dir, 'cpu.pb.gz');
      const svg = join(dir, 'flame.svg');
      const { json } = profileJson(['--duration', '2', '--pprof', pprof, '--svg', svg, '--', fx.full, '-1']);
      expect(json.samples).toBeGreaterThan(20);
      const top = execFileSync(
        'go',
        ['tool', 'pprof', '-top', '-nodefraction=0', '-nodecount=100000', '-sample_index=samples', pprof],
        {
          encoding: 'utf8',
        },
      );
      // "flat flat% sum% cum cum% name": flat counts equal our self samples.
      const flat = new Map<string, number>();
      for (const line of top.split('\n')) {
        const m = /^\s*(\d+)\s+[\d.]+%\s+[\d.]+%\s+\d+\s+[\d.]+%\s+(.+)$/.exec(line);
        if (m) flat.set(m[2]!.trim(), Number(m[1]));
      }
      // pprof's reports shorten names with parentheses and brackets: compare the plain ones.
      const plain = json.top.filter((x) => x.self > 0 && !/[()[\]]/.test(x.name));
      expect(plain.map((x) => x.name)).toContain('hot_three');
      for (const t of plain) expect(flat.get(t.name)).toBe(t.self);
      const svgText = readFileSync(svg, 'utf8');
      expect(svgText).toMatch(/<title>hot_three \(\d+ samples/);
      expect(svgText).not.toMatch(/<script[^>]*src=|href="http/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a hostile program name is escaped in the table and the folded stacks, exact in JSON', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const dir = mkdtempSync(join(tmpdir(), 'oslens-evil-'));
    const evil = join(dir, 'ev;l\x1b[2J');
    try {
      execFileSync('cp', [fx.full, evil]);
      const text = oslens(['profile', '--user', '--duration', '2', '--', evil]);
      expect(text.status).toBe(0);
      expect(text.stdout).not.toContain('\x1b');
      expect(text.stdout).toContain('hot_three');
      const folded = oslens(['profile', '--user', '--folded', '--duration', '2', '--', evil]);
      expect(folded.stdout).not.toContain('\x1b');
      expect(folded.stdout.split('\n')[0]!.startsWith('ev:l\\x1b[2J;')).toBe(true); // ; would split the frame
      const { json } = profileJson(['--user', '--duration', '2', '--', evil]);
      expect(json.stacks[0]!.comm).toBe('ev;l\x1b[2J');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('--folded lines add up to the samples, one comm;frames… count per stack', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const r = oslens(['profile', '--folded', '--duration', '2', '--', fx.full, '-1']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    let sum = 0;
    for (const l of lines) {
      const m = /^(.+) (\d+)$/.exec(l);
      expect(m).not.toBeNull();
      expect(m![1]!.split(';')[0]).toBe('spin');
      sum += Number(m![2]);
    }
    expect(sum).toBeGreaterThan(20);
    expect(lines.some((l) => l.includes(';hot_three'))).toBe(true);
  }, 60_000);
});

describe('the overlay', () => {
  it('kernel frames of a faulting, syscall-making workload carry their mental models', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const dir = mkdtempSync(join(tmpdir(), 'oslens-mixed-'));
    try {
      writeFileSync(join(dir, 'w.c'), MIXED_SOURCE);
      execFileSync('gcc', ['-O1', '-fno-omit-frame-pointer', '-o', join(dir, 'w'), join(dir, 'w.c')]);
      const { json } = profileJson(['--kernel', '-F', '499', '--duration', '3', '--', join(dir, 'w'), join(dir, 'w')]);
      const models = new Map<string, string | null>();
      for (const s of json.stacks)
        for (const f of s.frames) if (f.name) models.set(f.name, (f as { model?: string | null }).model ?? null);
      // Samples in user mode have no kernel stack: one `[user mode]` frame stands for them.
      for (const s of json.stacks)
        expect(s.frames.every((f) => f.kind === 'kernel') || s.frames[0]!.name === '[user mode]').toBe(true);
      expect(json.top.find((t) => t.name === '[user mode]')).toBeDefined();
      expect([...models].some(([n, m]) => /page_fault/.test(n) && m === 'virtual-memory')).toBe(true);
      expect([...models].some(([, m]) => m === 'syscall-boundary')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('symbols beyond C', () => {
  it('JIT frames: node --perf-basic-prof shows its JS function, from /tmp/perf-PID.map', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const dir = mkdtempSync(join(tmpdir(), 'oslens-jit-'));
    const script = join(dir, 'hot.js');
    writeFileSync(
      script,
      'function hotJsLoop(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i) * (i & 7); return s; }\n' +
        'let t = 0; const end = Date.now() + 30000; while (Date.now() < end) t += hotJsLoop(1e6);\n',
    );
    let pids: number[] = [];
    try {
      const { json } = profileJson(['--user', '--duration', '3', '--', process.execPath, '--perf-basic-prof', script]);
      pids = [...new Set(json.stacks.map((s) => s.pid))];
      const hot = json.top.find((t) => /hotJsLoop/.test(t.name));
      expect(hot).toMatchObject({ module: '[jit]', kind: 'jit' });
      expect(hot!.selfPercent).toBeGreaterThan(30);
    } finally {
      for (const pid of pids) rmSync(`/tmp/perf-${pid}.map`, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('C++ names are demangled as perf shows them', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const dir = mkdtempSync(join(tmpdir(), 'oslens-cxx-'));
    try {
      writeFileSync(
        join(dir, 'spin.cc'),
        'namespace lens { struct Spinner { volatile unsigned long v = 0; __attribute__((noinline)) void spin(unsigned long n) { for (unsigned long i = 0; i < n; i++) v += i; } }; }\n' +
          'int main() { lens::Spinner s; for (;;) s.spin(1000000); }\n',
      );
      execFileSync('g++', ['-O1', '-fno-omit-frame-pointer', '-o', join(dir, 'spin'), join(dir, 'spin.cc')]);
      const { json } = profileJson(['--user', '--duration', '2', '--', join(dir, 'spin')]);
      expect(json.top[0]!.name).toBe('lens::Spinner::spin(unsigned long)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('bad input', () => {
  it('a stripped binary: its frames are [unknown] (never a wrong name) and the module is named', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const { json, stderr } = profileJson(['--user', '--duration', '2', '--', fx.stripped, '-1']);
    const names = json.stacks.flatMap((s) => s.frames.filter((f) => f.module === fx.stripped).map((f) => f.name));
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n === null || n === 'main')).toBe(true); // .dynsym has no hot_*
    expect(json.top[0]!.name).toBe('[unknown] (spin-stripped)');
    expect(json.modulesWithoutSymbols).toContain(fx.stripped);
    expect(stderr).toContain(`no symbols (stripped, no debug file found): ${fx.stripped}`);
  }, 60_000);

  it('a process that exits mid-profile: its samples are still resolved, and it is reported', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const child = spinForever(fx.full);
    const bg = spawn(
      process.execPath,
      [OSLENS, 'profile', '--user', '-p', String(child.pid), '--duration', '5', '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    bg.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    bg.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    try {
      // Sampling has started: let it see the process for a while, then end the process.
      const deadline = Date.now() + 30_000;
      while (!err.includes('Ctrl-C to stop') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1500));
      child.kill('SIGKILL');
      expect(await new Promise((r) => bg.once('exit', r))).toBe(0);
      const json = JSON.parse(out) as JsonProfile;
      expect(json.exited).toContain(child.pid);
      expect(json.top.map((t) => t.name)).toContain('hot_three');
      expect(err).toContain(`exited while sampled (resolved from their last maps): pid ${child.pid}`);
    } finally {
      bg.kill('SIGKILL');
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('a process in another mount namespace: its binary is read through /proc/PID/root', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'mount namespaces need root');
    const dir = mkdtempSync(join(tmpdir(), 'oslens-ns-'));
    chmodSync(dir, 0o755);
    // The binary exists only in the child's namespace (a tmpfs over an empty directory here).
    const child = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount -t tmpfs none ${dir} && cp ${fx.full} ${dir}/spin && exec ${dir}/spin -1`,
      ],
      {
        stdio: 'ignore',
      },
    );
    running.push(child);
    try {
      execFileSync('sh', ['-c', `for i in $(seq 100); do pgrep -f '^${dir}/spin' && exit 0; sleep 0.05; done; exit 1`]);
      const pid = Number(execFileSync('pgrep', ['-f', `^${dir}/spin`], { encoding: 'utf8' }).trim());
      expect(spawnSync('test', ['-e', `${dir}/spin`]).status).not.toBe(0); // not on the host
      const { json } = profileJson(['--user', '-p', String(pid), '--duration', '2']);
      const hot = json.top.find((t) => t.name === 'hot_three');
      expect(hot?.module).toBe(`${dir}/spin`);
    } finally {
      child.kill('SIGKILL');
      spawnSync('pkill', ['-KILL', '-f', `^${dir}/spin`]);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('without CAP_BPF/CAP_PERFMON: one line naming them, exit 5', ({ skip }) => {
    if (!canSwitchToNobody()) skipUnlessCapable(skip, 'needs root and setpriv to run as nobody');
    const r = asNobody(['profile', '--duration', '1']);
    expect(r.status).toBe(5);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/CAP_BPF/);
  });

  it('usage errors (exit 2), no such process (exit 3), an output file that cannot be written (exit 1)', ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'the capability check comes first (exit 5 without root)');
    expect(oslens(['profile', '-F', '0']).status).toBe(2);
    expect(oslens(['profile', '-F', 'abc']).status).toBe(2);
    expect(oslens(['profile', '--kernel', '--user']).status).toBe(2);
    expect(oslens(['profile', '-p', '4194305']).status).toBe(3);
    const r = oslens(['profile', '--duration', '1', '--svg', '/nonexistent-dir/x.svg']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--svg: cannot write \/nonexistent-dir\/x\.svg/);
  });

  it('Ctrl-C: prints what it sampled, exits 130, and leaves nothing loaded', async ({ skip }) => {
    if (!ROOT) skipUnlessCapable(skip, 'eBPF needs root');
    const spin = spinForever(fx.full);
    const bg = spawn(process.execPath, [OSLENS, 'profile', '-p', String(spin.pid)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    bg.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    bg.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    try {
      const deadline = Date.now() + 30_000;
      while (!err.includes('Ctrl-C to stop') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(bpfProgramNames()).toContain('oslens_profile');
      await new Promise((r) => setTimeout(r, 1500));
      bg.kill('SIGINT');
      const code = await new Promise((r) => bg.once('exit', r));
      expect(code).toBe(130);
      expect(out).toMatch(/hot_three/);
      expect(bpfProgramNames()).not.toContain('oslens_profile');
    } finally {
      bg.kill('SIGKILL');
      spin.kill('SIGKILL');
    }
  }, 60_000);
});
