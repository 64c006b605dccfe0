import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    // CLI tests spawn the CLI under tsx: ~3 s a process on an idle 2-core machine, about three times that
    // under the whole suite's load, and some tests run three in a row.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: keep file-level parallelism modest so race tests stay meaningful.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
