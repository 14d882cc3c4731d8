import { defineConfig } from 'vitest/config';

// Tests run against the real kernel, real /proc and real child processes; some take seconds.
// Files run one at a time: timing-sensitive checks must not compete with each other for 2 cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
