/**
 * A traced program behaves exactly as untraced (issue 11, part 1). Every check runs the same
 * program with and without oslens (and where it helps, under strace) and compares what the
 * program itself saw: its seccomp state, its stdio descriptors and their flags, its signal
 * dispositions, the bytes of its argv and environment, how it ends on Ctrl-C.
 *
 * Commands go through bash so that a test can set up what a user's shell gives (pipes, ignored
 * signals, extra descriptors, non-UTF-8 arguments). `bin/oslens` is run through its shebang as
 * a shell runs it: the launcher records what the caller gave before Node changes it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OSLENS, ROOT } from '../helpers/env.js';

const dir = mkdtempSync(join(tmpdir(), 'oslens-behaviour-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** bash -c SCRIPT, with $OSLENS set to the launcher. */
function bash(script: string, timeout = 60_000) {
  return spawnSync('bash', ['-c', script], {
    encoding: 'utf8',
    timeout,
    env: { ...process.env, OSLENS },
    cwd: dir,
  });
}

describe('-e trace=SET leaves nothing in the tracee', () => {
  it('without -f no seccomp filter and no no_new_privs, in the command and in its children', () => {
    const probe = `grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; sh -c "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status"`;
    const untraced = bash(`sh -c '${probe.replace(/'/g, `'\\''`)}'`);
    const traced = bash(`$OSLENS trace -e trace=getpid -- sh -c '${probe.replace(/'/g, `'\\''`)}' 2>/dev/null`);
    expect(untraced.stdout).toMatch(/Seccomp:\s+0/);
    expect(traced.stdout).toBe(untraced.stdout);
  });

  it('with -f (seccomp kept, as strace --seccomp-bpf) root does not need no_new_privs', () => {
    const traced = bash(`$OSLENS trace -f -e trace=getpid -- grep NoNewPrivs /proc/self/status 2>/dev/null`);
    expect(traced.stdout).toMatch(/NoNewPrivs:\s+0/);
  });

  it('children and threads of a filtered command run as untraced (sh, python threads, node epoll)', () => {
    const python = `import threading
def w(): open('/etc/hostname').read()
ts = [threading.Thread(target=w) for _ in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print('threads done')`;
    writeFileSync(join(dir, 'threads.py'), python);
    const node = `require('net').createServer().listen(0, '127.0.0.1', function () { this.close(); require('fs').readFile('/etc/hostname', () => console.log('node done')); })`;
    writeFileSync(join(dir, 'epoll.js'), node);
    const cases: [string, string][] = [
      ['-e trace=openat', `sh -c 'cat /etc/hostname'`],
      ['-f -e trace=openat', `sh -c 'cat /etc/hostname'`],
      ['-e trace=openat', 'python3 threads.py'],
      ['-e trace=epoll_create1,epoll_ctl,epoll_wait', `${process.execPath} epoll.js`],
    ];
    for (const [flags, cmd] of cases) {
      const untraced = bash(cmd);
      const traced = bash(`$OSLENS trace ${flags} -o /dev/null -- ${cmd}`, 30_000);
      expect({ cmd: `${flags} ${cmd}`, out: traced.stdout, status: traced.status }).toEqual({
        cmd: `${flags} ${cmd}`,
        out: untraced.stdout,
        status: untraced.status,
      });
    }
  });

  it('the tracer filters without seccomp: only the wanted syscalls are printed', () => {
    const r = bash(`$OSLENS trace -e trace=openat,close -- cat /etc/hostname 2>&1 >/dev/null`);
    const names = new Set([...r.stdout.matchAll(/^(\w+)\(/gm)].map((m) => m[1]));
    expect([...names].sort()).toEqual(['close', 'openat']);
  });
});

describe('stdio, descriptors and signals reach the command as the shell gave them', () => {
  it('a pipe stays blocking: seq | (sleep; wc -l) loses nothing', () => {
    const r = bash(`$OSLENS trace -e trace=getpid -- seq 1 2000000 2>/dev/null | (sleep 1; wc -l)`);
    expect(r.stdout.trim()).toBe('2000000');
  });

  it('a closed pipe kills the command by SIGPIPE, as untraced and as strace reports it', () => {
    const untraced = bash(`yes | (sleep 0.5; head -1); echo "status \${PIPESTATUS[0]}"`);
    const traced = bash(
      `$OSLENS trace -e trace=getpid -o ${dir}/yes.trace -- yes | (sleep 0.5; head -1); echo "status \${PIPESTATUS[0]}"`,
    );
    expect(untraced.stdout).toBe('y\nstatus 141\n');
    expect(traced.stdout).toBe(untraced.stdout);
    expect(readFileSync(join(dir, 'yes.trace'), 'utf8')).toMatch(/\+\+\+ killed by SIGPIPE \+\+\+\n$/);
  });

  it('the file status flags of fds 0-2 are the shell-given ones (pipes, files, a terminal)', () => {
    const probe = `for n in 0 1 2; do grep flags /proc/self/fdinfo/$n; done`;
    for (const redirect of ['< /dev/null | cat', `< /etc/hostname 2>&1 | cat`, `2>${dir}/err | cat`]) {
      const untraced = bash(`sh -c '${probe}' ${redirect}`);
      const traced = bash(`$OSLENS trace -e trace=getpid -o /dev/null -- sh -c '${probe}' ${redirect}`);
      expect({ redirect, flags: traced.stdout }).toEqual({ redirect, flags: untraced.stdout });
    }
    const pty = (cmd: string) =>
      JSON.parse(
        spawnSync('python3', [join(ROOT, 'test/fixtures/trace/ctrlc.py'), 'never', 'bash', '-c', cmd], {
          encoding: 'utf8',
          env: { ...process.env, OSLENS },
        }).stdout,
      ) as { output: string };
    const onTty = pty(`sh -c '${probe}'`).output;
    expect(onTty).toMatch(/flags/);
    expect(pty(`$OSLENS trace -e trace=getpid -o /dev/null -- sh -c '${probe}'`).output).toBe(onTty);
  });

  it('descriptors the shell gave (3 and up) are inherited, none of Node’s', () => {
    // Pipes and sockets differ from run to run by inode number only.
    const cmd = `exec 5</etc/hostname 7>/dev/null; CMD ls -l /proc/self/fd | awk '{print $9, $10, $11}' | sed -e 's/:\\[[0-9]*\\]//' -e 's,/proc/[0-9]*/,/proc/N/,'`;
    const untraced = bash(cmd.replace('CMD', ''));
    const traced = bash(cmd.replace('CMD', '$OSLENS trace -e trace=getpid -o /dev/null --'));
    expect(untraced.stdout).toMatch(/^5 -> \/etc\/hostname$/m);
    expect(traced.stdout).toBe(untraced.stdout);
  });

  it('ignored and blocked signals are the shell-given ones; Node’s SIGPIPE ignore does not leak', () => {
    const probe = `grep -E '^Sig(Blk|Ign):' /proc/self/status`;
    for (const setup of ['', `trap '' HUP USR1 INT;`]) {
      const untraced = bash(`${setup} ${probe}`);
      const traced = bash(`${setup} $OSLENS trace -e trace=getpid -o /dev/null -- ${probe}`);
      const strace = bash(`${setup} strace -o /dev/null -e trace=getpid -- ${probe}`);
      expect(traced.stdout).toBe(untraced.stdout);
      expect(strace.stdout).toBe(untraced.stdout);
    }
    expect(bash(`trap '' HUP USR1; ${probe}`).stdout).toMatch(/SigIgn:\s+0+201$/m);
    // A blocked signal (python execs into bash with SIGUSR2 blocked and SIGPIPE back to default).
    const blocking = (cmd: string) =>
      `python3 -c "import os, signal, sys; signal.signal(signal.SIGPIPE, signal.SIG_DFL); signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2}); os.execvp('bash', ['bash', '-c', sys.argv[1]])" "${cmd}"`;
    const blockedUntraced = bash(blocking(probe));
    expect(blockedUntraced.stdout).toMatch(/SigBlk:\s+0+800$/m);
    expect(bash(blocking(`$OSLENS trace -e trace=getpid -o /dev/null -- ${probe}`)).stdout).toBe(
      blockedUntraced.stdout,
    );
  });
});

describe('argv and environment bytes pass through unchanged', () => {
  it('the environment oslens got, in its order: no PWD added or moved by the launcher, no OSLENS_CALLER', () => {
    // bin/oslens runs in sh, which exports PWD when the caller had none, sets a wrong one to the
    // working directory, and reorders the environment; env -i gives oslens one without a shell.
    const probe = 'cat /proc/self/environ | od -An -c';
    for (const vars of [
      `PATH="$PATH" Z=1 A=$'\\xe9' OLDPWD=/`,
      `Z=1 PWD=/nonexistent PATH="$PATH" A=2`,
      `Z=1 PWD="$PWD" A=$'x\\ny' PATH="$PATH" B=3`,
      `PATH="$PATH" PWD=/`,
    ]) {
      const untraced = bash(`env -i ${vars} ${probe}`);
      const strace = bash(`env -i ${vars} strace -o /dev/null ${probe}`);
      const traced = bash(`env -i ${vars} $OSLENS trace -o /dev/null -- ${probe}`);
      expect(untraced.stdout).toMatch(/Z|P/);
      expect(strace.stdout).toBe(untraced.stdout);
      expect(traced.stdout).toBe(untraced.stdout);
    }
    const traced = bash(`$OSLENS trace -o /dev/null -- cat /proc/self/environ`);
    expect(traced.stdout).not.toContain('OSLENS_CALLER');
  });

  it('a non-UTF-8 file name argument reaches ls', () => {
    bash(`: > $'\\xe9t\\xe9.txt'`);
    const untraced = bash(`ls $'\\xe9t\\xe9.txt' | od -An -tx1`);
    const traced = bash(`$OSLENS trace -o /dev/null -- ls $'\\xe9t\\xe9.txt' | od -An -tx1`);
    expect(untraced.status).toBe(0);
    expect(untraced.stdout).toMatch(/e9 74 e9 2e 74 78 74/);
    expect(traced.stdout).toBe(untraced.stdout);
  });

  it('non-UTF-8 environment values and names reach the command', () => {
    const probe = `sh -c 'printf %s "$OSLENS_T" | od -An -tx1; env | grep -a "^Z" | od -An -tx1'`;
    const setup = `export OSLENS_T=$'a\\xff\\xfeb'; export $'Z\\xe9=1' 2>/dev/null || true;`;
    const untraced = bash(`${setup} ${probe}`);
    const traced = bash(`${setup} $OSLENS trace -o /dev/null -- ${probe}`);
    expect(untraced.stdout).toMatch(/61 ff fe 62/);
    expect(traced.stdout).toBe(untraced.stdout);
  });
});

describe('signals: Ctrl-C and signals sent to oslens', () => {
  const ctrlC = (cmd: string) =>
    JSON.parse(
      spawnSync('python3', [join(ROOT, 'test/fixtures/trace/ctrlc.py'), 'READY', 'bash', '-c', cmd], {
        encoding: 'utf8',
        env: { ...process.env, OSLENS },
        timeout: 60_000,
      }).stdout,
    ) as { output: string; sent: boolean; exit?: number; signal?: number };

  it('Ctrl-C reaches the command, which dies of it: +++ killed by SIGINT +++, exit 130', () => {
    const untraced = ctrlC(`exec sh -c 'echo READY; exec sleep 30'`);
    expect(untraced).toMatchObject({ sent: true, signal: 2 });
    const traced = ctrlC(`exec $OSLENS trace -- sh -c 'echo READY; exec sleep 30'`);
    expect(traced.sent).toBe(true);
    expect(traced.output).toMatch(/\+\+\+ killed by SIGINT \+\+\+/);
    expect(traced.exit).toBe(130);
  });

  it('Ctrl-C on a command that handles SIGINT: it handles it once and its status is oslens’s', () => {
    const py = `import signal, sys, time
def h(s, f):
    print('got', s, flush=True); sys.exit(3)
signal.signal(signal.SIGINT, h)
print('READY', flush=True); time.sleep(30)`;
    writeFileSync(join(dir, 'catch.py'), py);
    const untraced = ctrlC(`exec python3 ${dir}/catch.py`);
    expect(untraced).toMatchObject({ exit: 3 });
    const traced = ctrlC(`exec $OSLENS trace -e trace=getpid -- python3 ${dir}/catch.py`);
    expect(traced.exit).toBe(3);
    expect(traced.output.match(/got 2/g)).toEqual(['got 2']);
  });

  it('SIGINT/SIGTERM sent to oslens only: forwarded to the command, then detached, as strace does', async () => {
    const py = `import signal, sys, time
def h(s, f):
    open(sys.argv[1], 'a').write('got %d\\n' % s); sys.exit(3)
signal.signal(signal.SIGINT, h); signal.signal(signal.SIGTERM, h)
print('READY', flush=True); time.sleep(30)`;
    writeFileSync(join(dir, 'forward.py'), py);
    for (const [sig, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const log = join(dir, `forward-${sig}.log`);
      const child = spawn(OSLENS, ['trace', '-e', 'trace=getpid', '--', 'python3', join(dir, 'forward.py'), log], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.includes('READY') && resolve()));
      child.kill(sig);
      const status = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect({ sig, status }).toEqual({ sig, status: code });
      expect(stderr).toMatch(/oslens: Process \d+ detached/);
      await new Promise((r) => setTimeout(r, 300));
      expect(readFileSync(log, 'utf8')).toBe(`got ${sig === 'SIGINT' ? 2 : 15}\n`);
    }
  });
});

describe('--json: pid on every record, exec argv lossless', () => {
  it('syscall, exec, signal and exit records carry the thread group id', () => {
    const py = `import threading, os
t = threading.Thread(target=lambda: os.getppid()); t.start(); t.join()
os.kill(os.getpid(), 28)`;
    writeFileSync(join(dir, 'pid.py'), py);
    bash(`$OSLENS trace -f --json -o ${dir}/pid.jsonl -e trace=getppid,execve -- python3 ${dir}/pid.py`);
    const recs = readFileSync(join(dir, 'pid.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; tid: number; pid?: number; name?: string });
    // python3 may be a shell-script shim that execs the interpreter at the end: the last exec.
    const main = recs.filter((x) => x.type === 'exec').at(-1)!;
    expect(main.pid).toBe(main.tid);
    const getppid = recs.slice(recs.indexOf(main)).find((x) => x.name === 'getppid')!;
    expect(getppid.pid).toBe(main.pid);
    expect(getppid.tid).not.toBe(main.pid);
    expect(recs.find((x) => x.type === 'signal')?.pid).toBe(main.pid);
    for (const x of recs) if (x.type !== 'summary') expect(typeof x.pid).toBe('number');
  });

  it('exec argv with non-UTF-8 bytes keeps them in argvBase64', () => {
    bash(`$OSLENS trace --json -o ${dir}/argv.jsonl -e trace=execve -- /bin/echo $'\\xe9t\\xe9' plain`);
    const recs = readFileSync(join(dir, 'argv.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; argv?: string[]; argvBase64?: string[] });
    const exec = recs.find((x) => x.type === 'exec')!;
    expect(exec.argv).toEqual(['/bin/echo', '\ufffdt\ufffd', 'plain']);
    expect(exec.argvBase64!.map((b) => Buffer.from(b, 'base64').toString('hex'))).toEqual([
      Buffer.from('/bin/echo').toString('hex'),
      'e974e9',
      Buffer.from('plain').toString('hex'),
    ]);
    bash(`$OSLENS trace --json -o ${dir}/plain.jsonl -e trace=execve -- /bin/echo plain`);
    const e2 = JSON.parse(
      readFileSync(join(dir, 'plain.jsonl'), 'utf8')
        .split('\n')
        .find((l) => l.includes('"exec"'))!,
    );
    expect(e2.argv).toEqual(['/bin/echo', 'plain']);
    expect(e2.argvBase64).toBeUndefined();
  });
});

describe('the command ends with oslens', () => {
  // (a zombie counts as gone: the command was killed, and PID 1 reaps it in its own time)
  it('a SIGKILLed oslens takes its spawned command with it (EXITKILL), without and with a filter', () => {
    for (const flags of ['', '-f -e trace=getpid']) {
      const r = bash(
        `$OSLENS trace ${flags} -o /dev/null -- sleep 30 & o=$!; for i in $(seq 50); do c=$(pgrep -P $o -x sleep) && break; sleep 0.1; done; kill -KILL $o; wait $o; sleep 0.3; st=$(awk '{print $3}' /proc/$c/stat 2>/dev/null); [ -z "$st" ] || [ "$st" = Z ] && echo gone || echo alive`,
      );
      expect(r.stdout.trim(), flags).toBe('gone');
    }
  });
});
