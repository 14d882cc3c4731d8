/**
 * Lines split by another task's event (`<unfinished ...>` / `<... X resumed>`) for clone and
 * clone3, against strace -f: threads and forks are created while other threads make calls, so
 * both tools split many of them. Joined per pid, every line must be strace's; and the split
 * halves themselves must be the ones strace prints (clone's `, child_tidptr=` and clone3's
 * ` => {parent_tid=[N]}, 88` belong to the resumed half).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileC, type CompiledC } from '../helpers/cc.js';
import { skipUnlessCapable } from '../helpers/env.js';
import { traceBoth } from '../helpers/strace-diff.js';

const THREADS = `
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static void *busy(void *a) {
  (void)a;
  for (int i = 0; i < 300; i++) { getppid(); struct timespec t = {0, 20000}; nanosleep(&t, NULL); }
  return NULL;
}
static void *leaf(void *a) { (void)a; getppid(); return NULL; }
/* fork() from a thread: glibc's clone(child_stack=NULL, flags=...|SIGCHLD, child_tidptr=...). */
static void *forker(void *a) {
  (void)a;
  for (int i = 0; i < 5; i++) { pid_t p = fork(); if (p == 0) _exit(0); waitpid(p, NULL, 0); }
  return NULL;
}
int main(void) {
  pthread_t b[2], l[20], f;
  for (int i = 0; i < 2; i++) pthread_create(&b[i], NULL, busy, NULL);
  pthread_create(&f, NULL, forker, NULL);
  for (int i = 0; i < 20; i++) pthread_create(&l[i], NULL, leaf, NULL);
  for (int i = 0; i < 20; i++) pthread_join(l[i], NULL);
  pthread_join(f, NULL);
  for (int i = 0; i < 2; i++) pthread_join(b[i], NULL);
  return 0;
}
`;

let prog: CompiledC;
let haveStrace = false;
beforeAll(() => {
  haveStrace = spawnSync('strace', ['-V']).status === 0;
  prog = compileC('split-threads', THREADS, ['-pthread']);
});
afterAll(() => prog?.remove());

/** Run-dependent numbers: pids/tids (prefix, `[N]`, the return value) and the sleep's values. */
const shape = (line: string) =>
  line
    .replace(/\[\d+\]/g, '[N]')
    .replace(/= \d+$/, '= N')
    .replace(/\s+= /, ' = ');

/** pid → its lines without the prefix; split calls joined into one line; and the split halves. */
function parse(lines: string[]): { joined: string[]; halves: string[] } {
  const open = new Map<string, string>();
  const joined: string[] = [];
  const halves: string[] = [];
  for (const line of lines) {
    const m = /^(\d+) +(.*)$/.exec(line);
    if (!m) continue;
    const [, pid, text] = m as unknown as [string, string, string];
    if (!/^(<\.\.\. )?clone3?[( ]/.test(text)) continue;
    if (text.endsWith(' <unfinished ...>')) {
      open.set(pid, text.slice(0, -' <unfinished ...>'.length));
      halves.push(shape(text));
    } else if (text.startsWith('<... ')) {
      const rest = text.replace(/^<\.\.\. \w+ resumed>/, '');
      halves.push(shape(text));
      joined.push(shape((open.get(pid) ?? '?') + rest));
      open.delete(pid);
    } else joined.push(shape(text));
  }
  return { joined: joined.sort(), halves: [...new Set(halves)].sort() };
}

describe('split clone and clone3 lines against strace -f', () => {
  it('joined per pid they are strace lines; the halves are strace halves', (ctx) => {
    if (!haveStrace) skipUnlessCapable(ctx.skip, 'strace is not installed');
    const pair = traceBoth([prog.bin], ['-f', '-e', 'trace=clone,clone3']);
    const s = parse(pair.strace);
    const o = parse(pair.oslens);
    expect(o.joined.length).toBe(28); // 23 threads, 5 forks
    expect(o.joined).toEqual(s.joined);
    // Which calls are split depends on timing; the halves of a kind both tools split must agree.
    const kinds = (halves: string[]) => new Set(halves.map((h) => h.replace(/\(.*|>.*/, '')));
    const both = [...kinds(o.halves)].filter((k) => kinds(s.halves).has(k));
    expect(both.length).toBeGreaterThan(0);
    for (const k of both) {
      const mine = o.halves.filter((h) => h.startsWith(k));
      for (const h of mine) expect(s.halves).toContain(h);
    }
  });
});
