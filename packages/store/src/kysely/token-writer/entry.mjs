// Worker bootstrap: the project runs from TypeScript source, and a worker
// thread does not inherit the parent's loader (tsx or vitest), so the
// writer is loaded through tsx's scoped loader.
import { tsImport } from 'tsx/esm/api';

await tsImport('./thread.ts', import.meta.url);
