import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests run against the real kernel, real /proc and real child processes; some take seconds.
// Files run one at a time: timing-sensitive checks must not compete with each other for 2 cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    // Runs remembered by `oslens bench` go to a scratch home, not the user's ~/.oslens.
    env: { OSLENS_HOME: join(tmpdir(), `oslens-test-home-${process.pid}`) },
    // ... and removed when the run ends.
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
