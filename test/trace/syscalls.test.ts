import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODEL_IDS } from '../../src/lessons/types.js';
import { ERRNOS, errnoByName, errnoByNr, errnoName } from '../../src/trace/errno.js';
import { SIGNALS, signalByName, signalName } from '../../src/trace/signals.js';
import {
  SYSCALLS,
  UNMAPPED_SYSCALLS,
  resolveSyscallSet,
  syscallByName,
  syscallByNr,
  syscallsInClass,
} from '../../src/trace/syscalls.js';

const HEADER = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';

describe('syscall table', () => {
  it('has every syscall of the kernel header with its number', () => {
    let text = '';
    try {
      text = readFileSync(HEADER, 'utf8');
    } catch {
      return; // no kernel headers installed: the committed table stands on its own
    }
    const defs = [...text.matchAll(/^#define __NR_(\w+)\s+(\d+)\s*$/gm)];
    for (const [, name, nr] of defs) expect(syscallByName(name!)?.nr, name).toBe(Number(nr));
  });

  it('maps every syscall to one mental model, by table or family default', () => {
    expect(UNMAPPED_SYSCALLS).toEqual([]);
    for (const s of SYSCALLS) expect(MODEL_IDS, s.name).toContain(s.model);
    expect(syscallByName('openat')?.model).toBe('file-descriptor');
    expect(syscallByName('mmap')?.model).toBe('virtual-memory');
    expect(syscallByName('futex')?.model).toBe('synchronization');
    expect(syscallByName('epoll_wait')?.model).toBe('epoll-io-uring');
    expect(syscallByNr(0)?.name).toBe('read');
    expect(syscallByNr(231)?.name).toBe('exit_group');
  });

  it('knows strace classes', () => {
    const names = (c: string) => syscallsInClass(c)!.map((s) => s.name);
    expect(names('%file')).toEqual(expect.arrayContaining(['open', 'openat', 'execve', 'stat', 'newfstatat']));
    expect(names('%file')).not.toContain('read');
    expect(names('%desc')).toEqual(expect.arrayContaining(['read', 'write', 'close', 'openat']));
    expect(names('%net')).toEqual(names('%network'));
    expect(names('%network')).toContain('connect');
    expect(names('%process')).toEqual(expect.arrayContaining(['clone', 'execve', 'wait4', 'exit_group']));
    expect(names('%memory')).toEqual(expect.arrayContaining(['mmap', 'brk', 'munmap']));
    expect(names('%signal')).toContain('rt_sigaction');
    expect(names('%ipc')).toContain('shmget');
    expect(names('%creds')).toContain('setuid');
    expect(syscallsInClass('%bogus')).toBeUndefined();
  });

  it('resolves -e trace= sets: names, classes, models, negation; names unknown items', () => {
    expect([...resolveSyscallSet('openat,close')].sort((a, b) => a - b)).toEqual([3, 257]);
    expect(resolveSyscallSet('model:virtual-memory').has(9)).toBe(true);
    expect(resolveSyscallSet('!write').has(1)).toBe(false);
    expect(resolveSyscallSet('%memory').has(12)).toBe(true);
    expect(() => resolveSyscallSet('openat,frobnicate')).toThrow("invalid syscall 'frobnicate'");
    expect(() => resolveSyscallSet('%nope')).toThrow("invalid syscall class '%nope'");
    expect(() => resolveSyscallSet('model:nope')).toThrow("invalid mental model 'model:nope'");
  });
});

describe('errno and signal names', () => {
  it('covers every errno 1..133 and the restart codes', () => {
    for (let n = 1; n <= 133; n++) if (n !== 41 && n !== 58) expect(errnoByNr(n), String(n)).toBeDefined();
    expect(errnoName(2)).toBe('ENOENT');
    expect(errnoByNr(2)?.message).toBe('No such file or directory');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoByName('EWOULDBLOCK')?.nr).toBe(11);
    expect(errnoName(512)).toBe('ERESTARTSYS');
    expect(errnoName(516)).toBe('ERESTART_RESTARTBLOCK');
    expect(errnoName(133)).toBe('EHWPOISON');
    expect(ERRNOS.length).toBeGreaterThanOrEqual(131 + 19);
  });

  it('names all 64 signals, real-time ones included', () => {
    expect(SIGNALS).toHaveLength(64);
    expect(signalName(9)).toBe('SIGKILL');
    // strace 6's names: 32 is SIGRTMIN, then SIGRT_1 .. SIGRT_32 (kill -l's SIGRTMIN is glibc's 34).
    expect(signalName(32)).toBe('SIGRTMIN');
    expect(signalName(33)).toBe('SIGRT_1');
    expect(signalName(34)).toBe('SIGRT_2');
    expect(signalName(64)).toBe('SIGRT_32');
    expect(signalByName('SIGRTMIN+0')?.nr).toBe(34);
    expect(signalByName('SIGRTMIN+1')?.nr).toBe(35);
    expect(signalByName('RTMAX')?.nr).toBe(64);
    expect(signalByName('term')?.nr).toBe(15);
  });
});
