/**
 * The profile's derived views, pure: top functions (self, total, recursion counted once), folded
 * stacks, XML escaping (fast-check), the kernel-frame overlay rules, and the pprof encoding read
 * back by `go tool pprof` (the real consumer) with the same stacks and counts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeXml, flameGraphSvg } from '../../src/profile/flamegraph.js';
import {
  foldedElement,
  foldedStacks,
  frameName,
  topFunctions,
  type Profile,
  type ProfileFrame,
  type ProfileStack,
} from '../../src/profile/model.js';
import { frameRules, kernelFrameModel, parseFrameRules } from '../../src/profile/overlay.js';
import { pprofFile } from '../../src/profile/pprof.js';
import { IN_CI, skipUnlessCapable } from '../helpers/env.js';

fc.configureGlobal({ numRuns: Number(process.env.OSLENS_FUZZ_RUNS ?? 200), ...(IN_CI ? { seed: 20261201 } : {}) });

const user = (name: string | null, module = '/bin/app', address = '0x1000'): ProfileFrame => ({
  name,
  module,
  kind: 'user',
  address,
  model: null,
  buildId: null,
  mapping: { start: 0x1000, end: 0x9000, offset: 0 },
});
const kern = (name: string, address = '0xffffffff81000010'): ProfileFrame => ({
  name,
  module: '[kernel]',
  kind: 'kernel',
  address,
  model: kernelFrameModel(name),
  buildId: null,
  mapping: null,
});
const stack = (frames: ProfileFrame[], samples: number, pid = 42, comm = 'app'): ProfileStack => ({
  pid,
  comm,
  frames,
  samples,
});

const STACKS: ProfileStack[] = [
  stack([user('main'), user('work'), user('leaf_a')], 6),
  stack([user('main'), user('work'), user('leaf_b')], 2),
  stack([user('main'), user('rec'), user('rec'), user('rec')], 1),
  stack([user('main'), user('read'), kern('entry_SYSCALL_64'), kern('do_syscall_64'), kern('filemap_read')], 1),
];

describe('topFunctions', () => {
  it('self is the leaf, total is anywhere on the stack (once per stack), shares of all samples', () => {
    const top = topFunctions(STACKS);
    const by = (n: string) => top.find((t) => t.name === n)!;
    expect(top[0]).toMatchObject({ name: 'leaf_a', self: 6, total: 6, selfPercent: 60, totalPercent: 60 });
    expect(by('main')).toMatchObject({ self: 0, total: 10, totalPercent: 100 });
    expect(by('work')).toMatchObject({ self: 0, total: 8 });
    expect(by('rec')).toMatchObject({ self: 1, total: 1 }); // recursion counted once
    expect(by('filemap_read')).toMatchObject({ kind: 'kernel', model: 'page-cache', self: 1 });
    expect(by('do_syscall_64').model).toBe('syscall-boundary');
  });

  it('unknown frames are [unknown] with their module, never merged with a named one', () => {
    const top = topFunctions([stack([user(null, '/lib/libx.so')], 3), stack([user(null, '/lib/liby.so')], 1)]);
    expect(top.map((t) => t.name)).toEqual(['[unknown] (libx.so)', '[unknown] (liby.so)']);
  });
});

describe('folded stacks', () => {
  it('one line per distinct stack, comm first, counts summed', () => {
    const text = foldedStacks([...STACKS, stack([user('main'), user('work'), user('leaf_a')], 4)]);
    expect(text).toContain('app;main;work;leaf_a 10\n');
    expect(text).toContain('app;main;read;entry_SYSCALL_64;do_syscall_64;filemap_read 1\n');
    expect(text.trim().split('\n')).toHaveLength(4);
  });

  it('an element never contains ; or a control character (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (name) => {
        const e = foldedElement(name);
        // eslint-disable-next-line no-control-regex
        expect(e).not.toMatch(/[;\u0000-\u001f\u007f]/);
      }),
    );
  });
});

describe('XML escaping of names in the flame graph', () => {
  const unescape = (s: string) =>
    s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

  it('escapeXml leaves no markup character and reads back to the name (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (name) => {
        const e = escapeXml(name);
        expect(e).not.toMatch(/[<>"']/);
        expect(e.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
        // eslint-disable-next-line no-control-regex
        if (!/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(name)) expect(unescape(e)).toBe(name);
      }),
    );
  });

  it('a hostile function name is text in the SVG, never markup', () => {
    const evil = '</title></g><script>alert(1)</script><g>';
    const svg = flameGraphSvg([stack([user('main'), user(evil)], 5)]);
    expect(svg).not.toContain('<script>alert');
    expect(svg.match(/<script/g)).toHaveLength(1); // the viewer's own
    expect(svg).toContain(escapeXml(evil).slice(0, 20));
  });
});

describe('kernel-frames.yaml overlay', () => {
  it('tags the issue’s examples with their models; untagged functions stay untagged', () => {
    expect(kernelFrameModel('exc_page_fault')).toBe('virtual-memory');
    expect(kernelFrameModel('futex_wait')).toBe('synchronization');
    expect(kernelFrameModel('schedule')).toBe('scheduling');
    expect(kernelFrameModel('ext4_file_read_iter')).toBe('page-cache');
    expect(kernelFrameModel('vfs_read')).toBe('file-descriptor');
    expect(kernelFrameModel('entry_SYSCALL_64')).toBe('syscall-boundary');
    expect(kernelFrameModel('read_zero')).toBeNull();
    expect(kernelFrameModel('xschedule')).toBeNull(); // anchored
    expect(frameRules().length).toBeGreaterThan(4);
  });

  it('rejects an unknown model id', () => {
    expect(() => parseFrameRules('frames:\n  - model: nope\n    match: [x]\n')).toThrow(/unknown model/);
  });
});

describe('pprof', () => {
  it('go tool pprof reads the file back: same stacks (leaf last), same counts, names with spaces and unicode', (ctx) => {
    if (spawnSync('go', ['version']).status !== 0)
      skipUnlessCapable(ctx.skip, 'go is not installed (apt-get install golang-go)');
    const odd = 'LazyCompile:*fn /app/x.js:1 ünï';
    const stacks = [
      ...STACKS,
      stack([user('main'), { ...user(odd, '[jit]'), kind: 'jit', mapping: null }], 3, 7, 'node'),
      stack([user(null, '/lib/libstripped.so', '0x7f0000001234')], 2, 7, 'node'),
    ];
    const p: Profile = {
      hz: 99,
      durationSeconds: 2,
      mode: 'both',
      samples: 15,
      stacks,
      lost: { userStacks: 0, kernelStacks: 0, samples: 0 },
      modulesWithoutSymbols: [],
      exited: [],
    };
    const dir = mkdtempSync(join(tmpdir(), 'oslens-pprof-'));
    try {
      writeFileSync(join(dir, 'p.pb.gz'), pprofFile(p));
      // -raw prints the samples (count, cpu ns: location ids, leaf first) and the locations with
      // their function names exactly as stored (the other reports shorten names).
      const raw = execFileSync('go', ['tool', 'pprof', '-raw', join(dir, 'p.pb.gz')], { encoding: 'utf8' });
      const names = new Map<string, string>();
      // A name pprof would shorten is printed shortened, then in full in parentheses.
      for (const m of raw.matchAll(/^\s+(\d+): 0x[0-9a-f]+ (?:M=\d+ )?(.+?) +(\S+):0 s=0(?:\((.*)\))?$/gm))
        names.set(m[1]!, m[4] ?? m[2]!);
      const got = new Map<string, number>();
      for (const m of raw.matchAll(/^\s+(\d+)\s+\d+: ([\d ]+)$/gm)) {
        const key = m[2]!
          .trim()
          .split(' ')
          .reverse()
          .map((id) => names.get(id))
          .join(';');
        got.set(key, (got.get(key) ?? 0) + Number(m[1]));
      }
      const want = new Map<string, number>();
      for (const s of stacks) {
        const key = s.frames.map(frameName).join(';');
        want.set(key, (want.get(key) ?? 0) + s.samples);
      }
      expect(got).toEqual(want);
      const top = execFileSync('go', ['tool', 'pprof', '-top', '-sample_index=cpu', join(dir, 'p.pb.gz')], {
        encoding: 'utf8',
      });
      expect(top).toMatch(/Duration: 2s/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
