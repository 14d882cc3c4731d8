/**
 * Files, stat, directories, links, xattrs and memory: every line of these syscalls must be the
 * line strace prints, on a probe program that makes each call with several argument variants
 * (test/fixtures/trace/fs-probe.c: success and failure, NULL and bad pointers, unknown bits) and
 * on real programs (coreutils, tar, python, getfattr/setfattr).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeArgs, renderReturn } from '../../src/trace/decode.js';
import * as F from '../../src/trace/flags.js';
import * as FS from '../../src/trace/flags-fs.js';
import { Cap, type Capture } from '../../src/trace/records.js';
import { compileC, type CompiledC } from '../helpers/cc.js';
import { ROOT, skipUnlessCapable } from '../helpers/env.js';
import { traceBoth } from '../helpers/strace-diff.js';

const FAMILY = [
  'stat', 'lstat', 'fstat', 'newfstatat', 'statx', 'statfs', 'fstatfs',
  'setxattr', 'lsetxattr', 'fsetxattr', 'getxattr', 'lgetxattr', 'fgetxattr',
  'listxattr', 'llistxattr', 'flistxattr', 'removexattr', 'lremovexattr', 'fremovexattr',
  'utimensat', 'utimes', 'futimesat', 'utime', 'chown', 'lchown', 'fchown', 'fchownat',
  'symlink', 'symlinkat', 'link', 'linkat', 'readlink', 'readlinkat', 'getcwd',
  'getdents', 'getdents64', 'access', 'faccessat', 'faccessat2', 'unlink', 'unlinkat',
  'rename', 'renameat', 'renameat2', 'mknod', 'mknodat', 'truncate', 'ftruncate', 'sync', 'syncfs',
  'chroot', 'umask', 'chmod', 'fchmod', 'fchmodat', 'mkdir', 'mkdirat', 'rmdir', 'chdir', 'fchdir',
  'openat2', 'memfd_create', 'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch',
  'mmap', 'munmap', 'mprotect', 'pkey_mprotect', 'mremap', 'msync', 'mlock', 'munlock', 'mlock2',
  'mlockall', 'munlockall', 'mincore', 'madvise', 'brk', 'remap_file_pages', 'membarrier', 'pkey_alloc',
  'pkey_free', 'readahead', 'mount', 'umount2', 'swapon', 'swapoff', 'pivot_root', 'mbind', 'set_mempolicy',
  'get_mempolicy', 'migrate_pages', 'move_pages', 'userfaultfd', 'memfd_secret', 'ustat', 'acct',
  'uselib', 'set_mempolicy_home_node', 'fsopen', 'fsconfig', 'fsmount', 'move_mount', 'open_tree', 'fspick',
]; // prettier-ignore

const familyLine = new RegExp(`^(${FAMILY.join('|')})\\(`);

/**
 * The lines of the family, without pid prefixes, with ` = ` unpadded (the renderer's column
 * alignment is another part's job) and `extra` replacements of run-dependent values.
 */
function pick(lines: string[], extra: (l: string) => string = (l) => l): string[] {
  return lines
    .map((l) => l.replace(/^\d+ +/, ''))
    .filter((l) => familyLine.test(l))
    .map((l) => extra(l.replace(/\s+= ([^=]*)$/, ' = $1')));
}

/**
 * Runs `cmd` through sh with stdio on /dev/null: traceBoth gives strace's tracee /dev/null and
 * oslens' the test's pipes, and fstat/mmap of fds 0-2 must see the same files in both runs.
 */
const quiet = (cmd: string[]) => ['sh', '-c', 'exec "$0" "$@" </dev/null >/dev/null 2>&1', ...cmd];

let probe: CompiledC;
let fdNames: CompiledC;
let work: string;

beforeAll(() => {
  probe = compileC('fs-probe', readFileSync(join(ROOT, 'test/fixtures/trace/fs-probe.c'), 'utf8'));
  fdNames = compileC('fd-names', readFileSync(join(ROOT, 'test/fixtures/trace/fd-names.c'), 'utf8'));
  work = mkdtempSync(join(tmpdir(), 'oslens-decode-fs-'));
});

afterAll(() => {
  probe?.remove();
  fdNames?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('file, stat, xattr and memory syscalls print as strace prints them', () => {
  for (const flags of [[], ['-s', '4'], ['-y'], ['-x'], ['-xx', '-y']]) {
    it(`on the probe program, with ${flags.join(' ') || 'no flags'}`, () => {
      const dir = join(work, `probe${flags.join('')}`);
      mkdirSync(dir);
      const pair = traceBoth(quiet([probe.bin, dir]), flags);
      const strace = pick(pair.strace);
      // The probe makes ~200 calls of the family (plus the dynamic loader's mmaps).
      expect(strace.length).toBeGreaterThan(200);
      expect(pick(pair.oslens)).toEqual(strace);
    });
  }

  it('getdents64 counts every entry of a 4.5 MB read (walked in windows, not capped)', () => {
    const dir = join(work, 'big');
    mkdirSync(dir);
    const name = 'x'.repeat(200);
    for (let i = 0; i < 20000; i++) writeFileSync(join(dir, `${name}${i}`), '');
    const reader = compileC('getdents-big', readFileSync(join(ROOT, 'test/fixtures/trace/getdents-big.c'), 'utf8'));
    try {
      for (const size of [8 << 20, 2 << 20, 100]) {
        const pair = traceBoth([reader.bin, dir, String(size)], ['-e', 'trace=getdents64']);
        const strace = pick(pair.strace);
        expect(strace[0]).toMatch(size === 100 ? /\/\* 2 entries \*\// : /\/\* (20002|9198) entries \*\//);
        expect(pick(pair.oslens)).toEqual(strace);
      }
    } finally {
      reader.remove();
    }
  });

  it("strace's stat classes select the same syscalls (%stat %lstat %fstat %%stat %statfs %fstatfs %%statfs)", () => {
    const calls = compileC('stat-calls', readFileSync(join(ROOT, 'test/fixtures/trace/stat-calls.c'), 'utf8'));
    try {
      for (const cls of ['%stat', '%lstat', '%fstat', '%%stat', '%statfs', '%fstatfs', '%%statfs']) {
        const pair = traceBoth(quiet([calls.bin]), ['-e', `trace=${cls}`]);
        const syscallLines = (lines: string[]) => lines.filter((l) => /^\w+\(/.test(l));
        expect(syscallLines(pair.strace).length).toBeGreaterThan(0);
        expect(pick(syscallLines(pair.oslens))).toEqual(pick(syscallLines(pair.strace)));
      }
    } finally {
      calls.remove();
    }
  });

  it('with -y, paths that need quoting, and unlinked files as <path>(deleted)', () => {
    const dir = join(work, 'names');
    mkdirSync(dir);
    const pair = traceBoth([fdNames.bin, dir], ['-y', '-e', 'trace=openat,write,fsync,close,fchdir,faccessat2']);
    const strace = pair.strace.filter((l) => l.includes(dir));
    // Every name (and its (deleted) form) appears: \n, \", \74 for <, octal bytes, a real " (deleted)".
    expect(strace.join('\n')).toContain('a\\nb>(deleted)');
    expect(strace.join('\n')).toContain('lt\\0741\\0762>');
    expect(strace.join('\n')).toContain('x (deleted)>(deleted)');
    expect(pair.oslens.filter((l) => l.includes(dir)).map((l) => l.replace(/\s+= ([^=]*)$/, ' = $1'))).toEqual(
      strace.map((l) => l.replace(/\s+= ([^=]*)$/, ' = $1')),
    );
  });

  it('with -y -x, such paths in hex as strace prints them', () => {
    const dir = join(work, 'names-x');
    mkdirSync(dir);
    const pair = traceBoth([fdNames.bin, dir], ['-y', '-x', '-e', 'trace=openat,write,fsync,close,fchdir']);
    const hexLines = (lines: string[]) =>
      lines.filter((l) => l.includes('\\x')).map((l) => l.replace(/\s+= ([^=]*)$/, ' = $1'));
    expect(hexLines(pair.strace).length).toBeGreaterThan(4);
    expect(hexLines(pair.oslens)).toEqual(hexLines(pair.strace));
  });
});

describe('real programs: the family lines are strace lines', () => {
  // Values that change between the strace run and the oslens run: free blocks and inodes of the
  // filesystem, and the timestamps cp -a copies from files the setup created just before.
  const freeCounts = (l: string) => l.replace(/f_(bfree|bavail|ffree)=\d+/g, 'f_$1=N');
  const runDependent = (l: string) => freeCounts(l).replace(/\{tv_sec=\d+, tv_nsec=\d+\}( \/\* [^*]+ \*\/)?/g, '{TS}');
  const tree = (dir: string) => () =>
    execFileSync(
      'sh',
      ['-c', 'rm -rf t; mkdir t; cd t; echo hi > a; mkdir d; echo x > d/f; ln -s a l; chmod 4755 a; mkfifo p'],
      { cwd: dir },
    );

  const programs: [string, string[]][] = [
    ['ls -la', ['ls', '-la', 't']],
    ['stat', ['stat', 't/a', 't/l', 't/d', 't/p', '/dev/null']],
    ['cp -a', ['cp', '-a', 't/d', 't/d2']],
    ['mv', ['mv', 't/a', 't/b']],
    ['rm -r', ['rm', '-r', 't/d']],
    ['find', ['find', 't', '-newer', 't/a']],
    ['du', ['du', '-a', 't']],
    ['tar', ['tar', 'cf', 't.tar', 't']],
    ['touch -d', ['touch', '-d', '2020-01-01 12:00:00.5', 't/a']],
    ['ln -s', ['ln', '-sf', 'a', 't/l2']],
    ['readlink', ['readlink', '-f', 't/l']],
    ['df', ['df', 't']],
    ['chmod/chown', ['chown', '-R', '0:0', 't']],
  ];
  for (const [what, cmd] of programs) {
    it(what, () => {
      const dir = join(work, `prog-${what.replace(/\W/g, '')}`);
      mkdirSync(dir);
      const pair = traceBoth(quiet(cmd), [], dir, tree(dir));
      const norm = what === 'cp -a' ? runDependent : freeCounts;
      const strace = pick(pair.strace, norm);
      expect(strace.length).toBeGreaterThan(10);
      expect(pick(pair.oslens, norm)).toEqual(strace);
    });
  }

  it('getdents64 and statx are among the lines compared', () => {
    const dir = join(work, 'ls-statx');
    mkdirSync(dir);
    const pair = traceBoth(quiet(['ls', '-la', 't']), [], dir, tree(dir));
    const strace = pick(pair.strace);
    expect(strace.filter((l) => /^getdents64\(.* \/\* \d+ entries \*\//.test(l)).length).toBeGreaterThan(0);
    expect(strace.some((l) => l.startsWith('statx(AT_FDCWD, "t/a", AT_STATX_SYNC_AS_STAT|'))).toBe(true);
    expect(pick(pair.oslens)).toEqual(strace);
  });

  it("python's os module: stat, utime, xattrs, links, scandir, statvfs, memfd, mmap", (ctx) => {
    const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
    if (python.status !== 0) skipUnlessCapable(ctx.skip, 'python3 is not installed');
    const dir = join(work, 'python');
    mkdirSync(dir);
    const code = [
      'import os, mmap',
      "os.makedirs('t', exist_ok=True); p = 't/f'; open(p, 'w').write('x')",
      'os.stat(p); os.lstat(p); os.chmod(p, 0o4755); os.utime(p, (1, 2)); os.utime(p, ns=(5, 6))',
      "os.chown(p, -1, -1); os.symlink('f', 't/l'); os.readlink('t/l'); os.link(p, 't/h')",
      "os.replace('t/h', 't/q'); os.truncate(p, 100); os.statvfs('/proc'); os.listdir('t'); list(os.scandir('t'))",
      "os.setxattr(p, 'user.a', b'hello\\0'); os.getxattr(p, 'user.a'); os.listxattr(p); os.removexattr(p, 'user.a')",
      "os.mkfifo('t/p'); fd = os.memfd_create('m', os.MFD_CLOEXEC); os.ftruncate(fd, 4096)",
      'm = mmap.mmap(fd, 4096); m.close(); os.getcwd()',
      "[os.unlink('t/' + f) for f in os.listdir('t')]; os.rmdir('t')",
    ].join('\n');
    const pair = traceBoth(quiet(['env', 'PYTHONHASHSEED=0', python.stdout.trim(), '-c', code]), [], dir);
    const strace = pick(pair.strace, freeCounts);
    expect(strace.some((l) => l.startsWith('setxattr('))).toBe(true);
    expect(strace.some((l) => l.startsWith('utimensat(AT_FDCWD, "t/f", [{tv_sec=0, tv_nsec=5} /* 19'))).toBe(true);
    // The allocator's brk/mmap calls may come in another order from run to run: same lines.
    expect(pick(pair.oslens, freeCounts).sort()).toEqual(strace.sort());
  });

  it('getfattr and setfattr (the attr package)', (ctx) => {
    const have = spawnSync('sh', ['-c', 'command -v setfattr && command -v getfattr']);
    if (have.status !== 0) skipUnlessCapable(ctx.skip, 'getfattr/setfattr (apt install attr)');
    const dir = join(work, 'attr');
    mkdirSync(dir);
    const setup = () =>
      execFileSync(
        'sh',
        ['-c', 'rm -f f; echo x > f; setfattr -n user.k -v value f; setfattr -n user.b -v 0x00ff10 f'],
        {
          cwd: dir,
        },
      );
    for (const cmd of [
      ['getfattr', '-d', '-m', '-', 'f'],
      ['getfattr', '-n', 'user.k', '--only-values', 'f'],
      ['getfattr', '-n', 'user.none', 'f'],
      ['setfattr', '-n', 'user.new', '-v', '0x0001020300', 'f'],
      ['setfattr', '-x', 'user.k', 'f'],
    ]) {
      const pair = traceBoth(quiet(cmd), [], dir, setup);
      const strace = pick(pair.strace);
      expect(strace.some((l) => /^l?(get|set|list|remove)xattr\(/.test(l))).toBe(true);
      expect(pick(pair.oslens)).toEqual(strace);
    }
  });
});

describe('the family printers on any input', () => {
  const names = [
    'statx', 'newfstatat', 'statfs', 'getxattr', 'setxattr', 'listxattr', 'utimensat', 'futimesat',
    'utime', 'getdents64', 'getcwd', 'mknodat', 'openat2', 'memfd_create', 'inotify_add_watch',
    'mmap', 'mremap', 'msync', 'mincore', 'madvise', 'membarrier', 'faccessat2', 'renameat2', 'fchownat',
    'mount', 'umount2', 'swapon', 'mbind', 'set_mempolicy', 'get_mempolicy', 'migrate_pages', 'move_pages',
    'pkey_alloc', 'readahead', 'userfaultfd', 'listxattr', 'fgetxattr', 'readlinkat', 'getdents', 'fsconfig',
    'open_tree', 'fsmount',
  ]; // prettier-ignore
  const kinds = [
    Cap.structIn, Cap.structOut, Cap.bufIn, Cap.bufOutRet, Cap.recordsOut, Cap.pathOut, Cap.pagesOut, Cap.str,
    Cap.arrayIn, Cap.arrayOutArg,
  ]; // prettier-ignore

  it('random registers and random capture bytes never throw and give one string per argument', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 6, maxLength: 6 }),
        fc.array(
          fc.record({
            arg: fc.integer({ min: 0, max: 5 }),
            phase: fc.constantFrom(0 as const, 1 as const),
            kind: fc.constantFrom(...kinds),
            truncated: fc.boolean(),
            fault: fc.constant(false),
            data: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
          }),
          { maxLength: 6 },
        ),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        (name, raw, captures: Capture[], ret) => {
          const ctx = { pid: process.pid, showPaths: false };
          const args = decodeArgs(name, raw, captures, ret, ctx);
          for (const a of args) expect(typeof a.text).toBe('string');
          expect(typeof renderReturn(name, ret, ctx, captures)).toBe('string');
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('every flag text reads back as the value it was printed from (no bit lost or invented)', () => {
    const tables: [string, F.FlagTable][] = [
      ['AT_???', F.AT_FLAGS],
      ['AT_???', FS.FACCESSAT_FLAGS],
      ['STATX_???', FS.STATX_MASK],
      ['STATX_ATTR_???', FS.STATX_ATTRS],
      ['ST_???', FS.STATFS_FLAGS],
      ['IN_???', FS.INOTIFY_MASK],
      ['MS_???', FS.MOUNT_FLAGS],
      ['MREMAP_???', FS.MREMAP_FLAGS],
      ['MS_???', FS.MSYNC_FLAGS],
      ['PROT_???', F.PROT_FLAGS],
    ];
    const names = new Map<string, number>();
    for (const [, t] of tables) for (const [v, n] of t) names.set(n, v);
    for (const [v, n] of FS.MEMFD_FLAGS) names.set(n, v);
    for (const [i, n] of ['MAP_FILE', 'MAP_SHARED', 'MAP_PRIVATE', 'MAP_SHARED_VALIDATE'].entries()) names.set(n, i);
    for (const [v, n] of F.MAP_FLAGS) names.set(n, v);
    const readBack = (text: string): bigint => {
      let v = 0n;
      for (const part of text.replace(/ \/\* [^*]+ \*\//, '').split('|')) {
        const huge = /^(\d+)<<(MAP|MFD)_HUGE_SHIFT$/.exec(part);
        if (huge) v |= BigInt(huge[1]!) << 26n;
        else if (/^0x[0-9a-f]+$|^0$/.test(part)) v |= BigInt(part);
        else if (names.has(part)) v |= BigInt(names.get(part)!);
        else throw new Error(`unknown name ${part} in ${text}`);
      }
      return v;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
        for (const [dflt, t] of tables) expect(readBack(FS.renderFlagsDflt(v, t, dflt))).toBe(BigInt(v));
        expect(readBack(F.renderMapFlags(v))).toBe(BigInt(v));
        expect(readBack(FS.renderHugeFlags(v, FS.MEMFD_FLAGS, 'MFD_HUGE_SHIFT'))).toBe(BigInt(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('a capture too short for its struct prints the address, never a guessed decode', () => {
    for (const [name, arg] of [
      ['statx', 4],
      ['newfstatat', 2],
      ['statfs', 1],
      ['utimensat', 2],
      ['openat2', 2],
    ] as const) {
      const raw = [3n, 0x1000n, 0x2000n, 24n, 0x3000n, 0n];
      const c: Capture = { arg, phase: 1, kind: Cap.structOut, truncated: false, fault: false, data: Buffer.alloc(8) };
      const text = decodeArgs(name, raw, [{ ...c, phase: 0 }, c], 0n, { pid: 1, showPaths: false })[arg]!.text;
      expect(text).toBe(`0x${raw[arg]!.toString(16)}`);
    }
  });
});
