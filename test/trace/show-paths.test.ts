/**
 * -y against strace: the path behind an fd is the one it had when the tracee stopped, also for
 * an fd the call itself closes (close, dup2's newfd) and for fds the tracee has long closed or
 * reused by the time the records reach JS.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oslens, skipUnlessCapable } from '../helpers/env.js';
import { compileC } from '../helpers/cc.js';

const SOURCE = String.raw`
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  int a = open("/etc/hostname", O_RDONLY);
  int b = open("/etc/passwd", O_RDONLY);
  dup2(a, b);              /* closes /etc/passwd: strace shows newfd's path before the call */
  dup3(a, b, O_CLOEXEC);
  close(b);
  close(a);
  close(99);               /* EBADF: no path */
  return 0;
}
`;

let bin = '';
let strace = true;
let remove = () => {};

beforeAll(() => {
  strace = spawnSync('strace', ['-V']).status === 0;
  ({ bin, remove } = compileC('fds', SOURCE));
});
afterAll(() => remove());

/** Trace lines of a command, without strace's alignment padding before ` = `. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /^\w+\(/.test(l))
    .map((l) => l.replace(/\) +=/, ') ='));
}

/** Runs strace and oslens with the same arguments; returns both line lists. */
function both(args: string[], cmd: string[]): { strace: string[]; oslens: string[] } {
  const s = spawnSync('strace', [...args, ...cmd], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  expect(s.status, s.stderr).toBe(0);
  const o = oslens(['trace', ...args, '--', ...cmd]);
  expect(o.status, o.stderr).toBe(0);
  return { strace: lines(s.stderr), oslens: lines(o.stderr) };
}

describe('oslens trace -y (paths behind fds) matches strace', () => {
  it('close(3</etc/hostname>): the path of the fd the call closes, as cat runs', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const r = both(['-y', '-e', 'trace=close,openat'], ['cat', '/etc/hostname']);
    const closes = (l: string[]) => l.filter((x) => x.startsWith('close('));
    expect(closes(r.oslens)).toContain('close(3</etc/hostname>) = 0');
    // stdio differs between the two runs (pipes, /dev/null); the files cat opens must not.
    const files = (l: string[]) => closes(l).filter((x) => !/^close\([012]</.test(x));
    expect(files(r.strace).length).toBeGreaterThan(1);
    expect(files(r.oslens)).toEqual(files(r.strace));
    // The openat lines too: AT_FDCWD<cwd> and the returned fd's path, read at the exit stop.
    const opens = (l: string[]) => l.filter((x) => x.startsWith('openat('));
    expect(opens(r.oslens)).toContain(
      `openat(AT_FDCWD<${process.cwd()}>, "/etc/hostname", O_RDONLY) = 3</etc/hostname>`,
    );
    expect(opens(r.oslens)).toEqual(opens(r.strace));
  });

  it('dup2/dup3 show the newfd they replace, close(badfd) none', (ctx) => {
    if (!strace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const r = both(['-y', '-e', 'trace=openat,dup2,dup3,close'], [bin]);
    expect(r.oslens).toContain('dup2(3</etc/hostname>, 4</etc/passwd>) = 4</etc/hostname>');
    expect(r.oslens).toContain('close(99) = -1 EBADF (Bad file descriptor)');
    expect(r.oslens).toEqual(r.strace);
  });

  it('without -y, fds are plain numbers', () => {
    const o = oslens(['trace', '-e', 'trace=openat,dup2,close', '--', bin]);
    expect(o.status, o.stderr).toBe(0);
    expect(lines(o.stderr)).toContain('dup2(3, 4) = 4');
    expect(o.stderr).not.toMatch(/</);
  });
});
