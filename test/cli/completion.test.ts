/** `oslens completion bash|zsh` and `oslens man`, run by the real bash, zsh and groff. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { OSLENS, oslens, skipUnlessCapable } from '../helpers/env.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

const dir = mkdtempSync(join(tmpdir(), 'oslens-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let bashScript = '';

/** What bash's completion offers for the words typed so far (the last one being completed). */
function bashComplete(words: string[]): string[] {
  if (!bashScript) {
    bashScript = join(dir, 'oslens.bash');
    writeFileSync(bashScript, oslens(['completion', 'bash']).stdout);
  }
  const script = `source '${bashScript}'
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_oslens; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

describe('oslens completion and man', () => {
  const program = buildProgram();

  it('bash completes commands, each command its own options, pids for inspect', () => {
    expect(bashComplete(['oslens', ''])).toEqual(expect.arrayContaining(program.commands.map((c) => c.name())));
    const startingWithP = program.commands.map((c) => c.name()).filter((n) => n.startsWith('p'));
    expect(bashComplete(['oslens', 'p']).sort()).toEqual(startingWithP.sort());
    expect(startingWithP).toContain('ps');
    for (const c of program.commands) {
      const offered = bashComplete(['oslens', c.name(), '-']);
      for (const o of c.options) if (o.long) expect(offered, `${c.name()} ${o.long}`).toContain(o.long);
    }
    expect(bashComplete(['oslens', 'ps', '--s'])).toEqual(['--sort', '--state']);
    const pid = String(process.pid);
    expect(bashComplete(['oslens', 'inspect', pid])).toContain(pid);
  });

  it('zsh loads the completion function; unknown shells are a usage error', (ctx) => {
    if (!has('zsh')) skipUnlessCapable(ctx.skip, 'zsh is not installed');
    const script = `autoload -U compinit; compinit -u -D
source <("${process.execPath}" "${OSLENS}" completion zsh) && whence -w _oslens && print -r -- $_comps[oslens]`;
    const r = spawnSync('zsh', ['-f', '-c', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/_oslens: function/);
    expect(r.stdout.trim().split('\n').pop()).toBe('_oslens');
    const bad = oslens(['completion', 'fish']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^oslens: completion: unknown shell "fish"; valid: bash, zsh\n$/);
  });

  it('the man page renders without groff warnings and documents every command and option', (ctx) => {
    if (!has('groff')) skipUnlessCapable(ctx.skip, 'groff is not installed');
    const man = oslens(['man']);
    expect(man.status, man.stderr).toBe(0);
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-P', '-cbou'], { input: man.stdout, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const text = r.stdout.replace(/‐\n\s*/g, '').replace(/\s+/g, ' ');
    for (const c of program.commands) {
      expect(text).toContain(` ${c.name()} `);
      for (const o of c.options) if (o.long) expect(text, `${c.name()} ${o.long}`).toContain(o.long);
    }
  });
});
