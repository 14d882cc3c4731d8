/** C programs written by a test, compiled with gcc into a temp dir of their own. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CompiledC {
  /** The executable. */
  bin: string;
  /** Removes the temp dir (source and executable). */
  remove(): void;
}

/** Compiles `source` (warnings on, -O1) as `name`; extra gcc flags such as -pthread in `flags`. */
export function compileC(name: string, source: string, flags: string[] = []): CompiledC {
  const dir = mkdtempSync(join(tmpdir(), `oslens-${name}-`));
  const bin = join(dir, name);
  writeFileSync(`${bin}.c`, source);
  execFileSync('gcc', ['-O1', '-Wall', ...flags, '-o', bin, `${bin}.c`]);
  return { bin, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
