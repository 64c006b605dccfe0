/**
 * Tests that run the `gatehouse` executable run the built one (packages/cli/dist/bin.js, plain node: a
 * fraction of a second where tsx took seconds), and the pack test packs dist/. `npm test` builds first;
 * a single `npx vitest run file` builds here when a package's dist/ is missing or older than its sources.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = import.meta.dirname;
const PROJECTS = ['packages/core', 'packages/store', 'packages/audit', 'packages/authorization-server', 'packages/mcp', 'packages/scim', 'packages/cli', 'examples/internal-company'];

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtAt(project: string): number {
  try {
    return statSync(join(ROOT, project, 'dist', '.tsbuildinfo')).mtimeMs;
  } catch {
    return 0;
  }
}

export default function setup(): void {
  const stale = PROJECTS.filter((p) => builtAt(p) < newest(join(ROOT, p, 'src')));
  if (stale.length === 0) return;
  process.stderr.write(`building (dist/ older than src/ in ${stale.join(', ')})\n`);
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  } catch {
    // Type errors are `npm run typecheck`'s to report; tsc -b still emits what it can, and the tests say what breaks.
  }
}
