/** Runs once in vitest's main process: the scratch home of vitest.config.ts is removed after the run. */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  return () => rmSync(join(tmpdir(), `oslens-test-home-${process.pid}`), { recursive: true, force: true });
}
