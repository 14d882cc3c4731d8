/**
 * The committed BPF objects are what their sources build to: the eBPF tests load the .bpf.o files,
 * so an object left behind by a source change would test code that is not in the tree.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, skipUnlessCapable } from '../helpers/env.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe('native/bpf objects', () => {
  it('each .bpf.o matches its .bpf.c (scripts/build-bpf.sh --check)', ({ skip }) => {
    if (!has('clang') || !has('llvm-strip') || !existsSync('/usr/include/bpf/bpf_helpers.h'))
      skipUnlessCapable(skip, 'clang, llvm and libbpf-dev are needed to rebuild the BPF objects');
    const r = spawnSync('bash', [join(ROOT, 'scripts/build-bpf.sh'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.match(/ matches /g)?.length).toBeGreaterThanOrEqual(7);
  }, 120_000);
});
