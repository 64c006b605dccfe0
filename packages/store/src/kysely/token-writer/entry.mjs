// Worker bootstrap when running from TypeScript source (client.ts picks it): a
// worker thread does not inherit the parent's loader (tsx or vitest), so the
// writer is loaded through tsx's scoped loader. The built package starts
// dist/kysely/token-writer/thread.js directly and needs no tsx.
import { tsImport } from 'tsx/esm/api';

await tsImport('./thread.ts', import.meta.url);
