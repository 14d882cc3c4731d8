import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CAPABILITY_NAMES, decodeCapabilities, isFullCapabilitySet } from '../../src/proc/caps.js';
import { classifyFdTarget, decodeOpenFlags, parseFdInfo } from '../../src/proc/fds.js';
import { parseLimits } from '../../src/proc/limits.js';
import { parseMaps, parseSmaps, parseSmapsRollup, totalsOf } from '../../src/proc/maps.js';
import {
  parseCgroup,
  parseIo,
  parseNamespaceLink,
  parseSched,
  parseSchedstat,
  parseWchan,
} from '../../src/proc/misc.js';
import { decodeInetAddress, parseInetSockets, parseUnixSockets } from '../../src/proc/net.js';
import { countPagemapEntries } from '../../src/proc/pagemap.js';
import { SIGNAL_NAMES, decodeSignalMask, maskHas, signalName } from '../../src/proc/signals.js';
import { parseCmdline, parseEnviron, parseStat, parseStatm, parseSyscall } from '../../src/proc/stat.js';
import { parseStatus } from '../../src/proc/status.js';
import { parseLoadAvg, parseMeminfo, parsePressure, parseSystemStat, parseVmstat } from '../../src/proc/system.js';
import { ROOT } from '../helpers/env.js';

const FIX = join(ROOT, 'test/fixtures/proc');
const fixture = (name: string) => readFileSync(join(FIX, name), 'utf8');
const units = { clockTicks: 100, pageSize: 4096 };

describe('per-process parsers on a captured `sh -c "trap \'\' TERM; exec sleep 300"`', () => {
  it('stat: comm, state, times in seconds, rss in bytes', () => {
    const st = parseStat(fixture('sleep/stat'), units);
    expect(st).toMatchObject({ pid: 14049, comm: 'sleep', state: 'S', threads: 1, kernelThread: false });
    expect(st.rss % 4096).toBe(0); // pages → bytes
    expect(st.rss).toBeGreaterThan(100 * 1024);
    expect(st.minflt).toBeGreaterThan(0);
    expect(st.startTime).toBeGreaterThan(0);
  });

  it('stat: a comm with spaces and parentheses splits at the last ")"', () => {
    const st = parseStat('42 (a) b (c)) R 1 42 42 0 -1 4194560 5 0 0 0 150 50 0 0 20 0 3 0 1000 8192 10 x', units);
    expect(st.comm).toBe('a) b (c)');
    expect(st).toMatchObject({ state: 'R', ppid: 1, utime: 1.5, stime: 0.5, threads: 3, rss: 40960 });
  });

  it('statm, cmdline, environ, syscall, wchan', () => {
    expect(parseStatm(fixture('sleep/statm'), units).size).toBeGreaterThan(0);
    expect(parseCmdline(fixture('sleep/cmdline'))).toEqual(['sleep', '300']);
    expect(parseCmdline('')).toEqual([]);
    expect(parseEnviron('A=1\0B=x=y\0')).toEqual({ A: '1', B: 'x=y' });
    expect(parseSyscall(fixture('sleep/syscall'))).toMatchObject({ kind: 'syscall', nr: 230 });
    expect(parseSyscall('running')).toEqual({ kind: 'running' });
    expect(parseWchan(fixture('sleep/wchan'))).toBe('hrtimer_nanosleep');
    expect(parseWchan('0')).toBe('');
  });

  it('status: ids, memory in bytes, masks, context switches', () => {
    const st = parseStatus(fixture('sleep/status'));
    expect(st).toMatchObject({ name: 'sleep', state: 'S', pid: 14049, tracerPid: 0, threads: 1 });
    expect(st.uid.real).toBe(0);
    expect(st.vmRSS).toBe(Number(/VmRSS:\s+(\d+)/.exec(fixture('sleep/status'))?.[1]) * 1024);
    expect(decodeSignalMask(st.sigIgn)).toContain('SIGTERM'); // the trap "" TERM survives exec
    expect(st.kthread).toBe(false);
    expect(st.voluntaryCtxt).toBeGreaterThanOrEqual(0);
  });

  it('limits: names with spaces, unlimited as null', () => {
    const ls = parseLimits(fixture('sleep/limits'));
    expect(ls).toHaveLength(16);
    expect(ls.find((l) => l.name === 'Max stack size')).toEqual({
      name: 'Max stack size',
      soft: 8388608,
      hard: null,
      unit: 'bytes',
    });
    expect(ls.find((l) => l.name === 'Max nice priority')?.unit).toBe('');
  });

  it('maps: every region classified', () => {
    const rs = parseMaps(fixture('sleep/maps'));
    expect(rs).toHaveLength(37);
    const byPath = (p: string) => rs.filter((r) => r.path === p);
    expect(byPath('/usr/bin/sleep').map((r) => r.kind)).toEqual(['rodata', 'text', 'rodata', 'rodata', 'data']);
    expect(byPath('[heap]')[0]?.kind).toBe('heap');
    expect(byPath('[stack]')[0]?.kind).toBe('stack');
    expect(byPath('[vdso]')[0]?.kind).toBe('vdso');
    expect(byPath('[vvar]')[0]?.kind).toBe('vvar');
    expect(byPath('[vsyscall]')[0]?.kind).toBe('vsyscall');
    // libc's bss: the anonymous region right after libc's rw-p data.
    const libcData = rs.findIndex((r) => r.path.endsWith('libc.so.6') && r.perms === 'rw-p');
    expect(rs[libcData + 1]?.kind).toBe('bss');
    expect(rs.find((r) => r.perms === 'r--s')?.kind).toBe('shared');
    // vsyscall's address (above 2^63) is exact as a number.
    expect(byPath('[vsyscall]')[0]?.start).toBe(Number(0xffffffffff600000n));
    expect(byPath('[vsyscall]')[0]?.size).toBe(4096);
  });

  it('smaps totals agree with the smaps_rollup captured with them', () => {
    const rs = parseSmaps(fixture('sleep/smaps'));
    const rollup = parseSmapsRollup(fixture('sleep/smaps_rollup'));
    const t = totalsOf(rs);
    expect(rs).toHaveLength(37);
    expect(t.rss).toBe(rollup.rss);
    expect(Math.abs(t.pss - rollup.pss)).toBeLessThanOrEqual(rs.length * 1024); // per-region kB rounding
    expect(t.swap).toBe(rollup.swap);
    expect(rs.find((r) => r.path === '[stack]')?.vmFlags).toContain('gd');
  });

  it('cgroup, io, schedstat, sched, ns links', () => {
    const cg = parseCgroup(fixture('sleep/cgroup'));
    expect(cg.length).toBeGreaterThan(0);
    expect(cg[0]?.path.startsWith('/')).toBe(true);
    expect(parseIo(fixture('sleep/io')).rchar).toBeGreaterThanOrEqual(0);
    const ss = parseSchedstat(fixture('sleep/schedstat'));
    expect(ss.runTime).toBeGreaterThan(0);
    expect(ss.runTime).toBeLessThan(10);
    expect(parseSched(fixture('sleep/sched'))['se.exec_start']).toBeGreaterThan(0);
    expect(parseNamespaceLink('net:[4026531840]')).toEqual({ type: 'net', inode: 4026531840 });
  });
});

describe('system-wide parsers', () => {
  it('stat, loadavg, meminfo, vmstat, pressure', () => {
    const st = parseSystemStat(fixture('system/stat'), units);
    expect(st.perCpu.length).toBeGreaterThan(0);
    expect(st.contextSwitches).toBeGreaterThan(0);
    expect(st.bootTime).toBeGreaterThan(1e9);
    const la = parseLoadAvg(fixture('system/loadavg'));
    expect(la.total).toBeGreaterThan(0);
    const mem = parseMeminfo(fixture('system/meminfo'));
    expect(mem.MemTotal).toBeGreaterThan(2 ** 20);
    expect(mem.MemTotal! % 1024).toBe(0);
    expect(parseVmstat(fixture('system/vmstat')).pgfault).toBeGreaterThan(0);
    const psi = parsePressure(fixture('system/pressure-cpu'));
    expect(psi.some.avg10).toBeGreaterThanOrEqual(0);
    expect(psi.full?.total).toBe(0);
  });
});

describe('sockets', () => {
  it('decodes IPv4 and IPv6 addresses and TCP states', () => {
    expect(decodeInetAddress('0100007F:1F90')).toBe('127.0.0.1:8080');
    expect(decodeInetAddress('00000000000000000000000001000000:0016')).toBe('[::1]:22');
    expect(decodeInetAddress('0000000000000000FFFF00000100007F:0050')).toBe('[::ffff:127.0.0.1]:80');
    const tcp = parseInetSockets(fixture('net/tcp'), 'tcp');
    expect(tcp[0]).toMatchObject({ local: '0.0.0.0:2024', state: 'LISTEN', inode: 1065 });
    expect(tcp[1]).toMatchObject({ remote: '203.0.113.80:80', state: 'TIME_WAIT' });
    const unix = parseUnixSockets(fixture('net/unix'));
    expect(unix[0]).toMatchObject({ protocol: 'unix', type: 'stream', inode: 1062 });
  });
});

describe('fds', () => {
  it('classifies readlink targets and decodes fdinfo', () => {
    expect(classifyFdTarget('socket:[123]')).toEqual({ kind: 'socket', inode: 123 });
    expect(classifyFdTarget('pipe:[9]')).toEqual({ kind: 'pipe', inode: 9 });
    expect(classifyFdTarget('anon_inode:[eventfd]').kind).toBe('eventfd');
    expect(classifyFdTarget('anon_inode:[eventpoll]').kind).toBe('epoll');
    expect(classifyFdTarget('anon_inode:[timerfd]').kind).toBe('timerfd');
    expect(classifyFdTarget('anon_inode:[signalfd]').kind).toBe('signalfd');
    expect(classifyFdTarget('anon_inode:[io_uring]').kind).toBe('io_uring');
    expect(classifyFdTarget('anon_inode:inotify').kind).toBe('inotify');
    expect(classifyFdTarget('/dev/null').kind).toBe('device');
    expect(classifyFdTarget('/etc/passwd').kind).toBe('file');
    const info = parseFdInfo('pos:\t12\nflags:\t02004002\nmnt_id:\t25\nino:\t7\neventfd-count:    0\n');
    expect(info).toEqual({ pos: 12, flags: '02004002', mntId: 25, extra: ['eventfd-count:    0'] });
    expect(decodeOpenFlags('02004002')).toEqual(['O_RDWR', 'O_NONBLOCK', 'O_CLOEXEC']);
  });
});

describe('signals and capabilities', () => {
  it('names all 64 signals like kill -l', () => {
    expect(SIGNAL_NAMES).toHaveLength(64);
    expect(new Set(SIGNAL_NAMES).size).toBe(64);
    expect(signalName(15)).toBe('SIGTERM');
    expect(signalName(34)).toBe('SIGRTMIN');
    expect(signalName(35)).toBe('SIGRTMIN+1');
    expect(signalName(50)).toBe('SIGRTMAX-14');
    expect(signalName(64)).toBe('SIGRTMAX');
    expect(decodeSignalMask('0000000000004002')).toEqual(['SIGINT', 'SIGTERM']);
    expect(decodeSignalMask('8000000000000000')).toEqual(['SIGRTMAX']);
    expect(maskHas('0000000000004000', 15)).toBe(true);
    expect(maskHas('0000000000004000', 2)).toBe(false);
  });

  it('names all 41 capabilities of Linux 6.x', () => {
    expect(CAPABILITY_NAMES).toHaveLength(41);
    expect(decodeCapabilities('0000000000200000')).toEqual(['CAP_SYS_ADMIN']);
    expect(isFullCapabilitySet('000001ffffffffff')).toBe(true);
    expect(isFullCapabilitySet('000001fffeffffff')).toBe(false);
    expect(decodeCapabilities('000001ffffffffff').at(-1)).toBe('CAP_CHECKPOINT_RESTORE');
  });
});

describe('pagemap', () => {
  it('counts present, swapped, file/shared, soft-dirty and exclusive bits', () => {
    const buf = Buffer.alloc(8 * 4);
    buf.writeBigUInt64LE((1n << 63n) | (1n << 56n) | (1n << 55n) | 1234n, 0); // present, exclusive, soft-dirty
    buf.writeBigUInt64LE((1n << 63n) | (1n << 61n), 8); // present file page
    buf.writeBigUInt64LE(1n << 62n, 16); // swapped
    const c = countPagemapEntries(buf, 4);
    expect(c).toEqual({ present: 2, swapped: 1, fileOrShared: 1, softDirty: 1, exclusive: 1 });
  });
});
