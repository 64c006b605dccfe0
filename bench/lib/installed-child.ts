/**
 * A benchmark child that loads @gatehouse-auth/* as a user who installed
 * them does: the built packages (dist), not src through the workspace's
 * source condition that `npm run bench` sets for everything else. Builds
 * first, then refuses to measure a child whose SDK resolved anywhere else.
 */
import { spawnSync } from 'node:child_process';
import { startChild, type ServerChild } from './child.ts';

const root = new URL('../..', import.meta.url).pathname;

/** The child must announce `sdkModule: import.meta.resolve('@gatehouse-auth/mcp')` in its ready message. */
/** Builds every package (dist), as a user installs them; a bench measuring them calls it first. */
export function buildPackages(bench: string): void {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`bench ${bench}: npm run build failed`);
}

export async function startInstalledChild<T extends { sdkModule: string }>(bench: string, script: string): Promise<ServerChild<T>> {
  buildPackages(bench);
  const installed = { ...process.env, NODE_OPTIONS: (process.env.NODE_OPTIONS ?? '').replace(/--conditions[= ]@gatehouse-auth\/source/g, '').trim() };
  const child = await startChild<T>(script, [], installed);
  if (!/\/dist\/index\.js$/.test(child.info.sdkModule)) {
    await child.stop();
    throw new Error(`bench ${bench}: the SDK was loaded from ${child.info.sdkModule}, not its built package`);
  }
  console.log(`@gatehouse-auth/mcp loaded from ${child.info.sdkModule.replace(/^file:\/\/.*?\/packages\//, 'packages/')}`);
  return child;
}
