import { defineConfig } from 'vitest/config';

/**
 * The workspace runs from TypeScript source: this export condition picks each package's src/index.ts
 * over its dist/ (package.json `exports`). Vite resolves imports with it, NODE_OPTIONS passes it to
 * every process and worker thread a test starts (they run under tsx), and a built or packed package
 * never sees it.
 */
const SOURCE = '@gatehouse-auth/source';
process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--conditions=${SOURCE}`].filter(Boolean).join(' ');

/** End to end: real clients, browsers and processes against listening servers, and the packed packages. */
const E2E = ['packages/*/test/**/*.e2e.test.ts', 'examples/*/test/**/*.e2e.test.ts', 'packages/*/test/**/*.browser.test.ts', 'packages/*/test/**/*.conformance.test.ts'];
const ALL = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'];

export default defineConfig({
  resolve: { conditions: [SOURCE, 'module', 'node', 'development|production'] },
  ssr: { resolve: { conditions: [SOURCE, 'module', 'node', 'development|production'], externalConditions: [SOURCE] } },
  test: {
    // CLI tests spawn the built CLI (test/cli/run.ts); end-to-end tests start servers, browsers or
    // npm, about three times slower under the whole suite's load on two cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: keep file-level parallelism modest so race tests stay meaningful.
    maxWorkers: 2,
    reporters: ['default'],
    globalSetup: ['./vitest.global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ALL, exclude: E2E } },
      { extends: true, test: { name: 'e2e', include: E2E } },
    ],
  },
});
