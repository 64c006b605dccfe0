/**
 * Runs the MCP conformance suite's server scenarios (`conformance server`,
 * the pinned version of docs/conformance.md, Node 22 through npx) against a
 * URL and returns each scenario's checks from the checks.json files it
 * writes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFORMANCE_PACKAGE, type ConformanceCheck } from '../../../authorization-server/test/support/conformance-cli.ts';

export interface ServerConformanceRun {
  exitCode: number | null;
  /** Scenario → check id → status. */
  results: Record<string, Record<string, ConformanceCheck['status']>>;
  output: string;
}

export async function runServerConformance(url: string, timeoutMs: number): Promise<ServerConformanceRun> {
  const outputDir = mkdtempSync(join(tmpdir(), 'gatehouse-server-conformance-'));
  const args = ['-y', '-p', 'node@22', '-p', CONFORMANCE_PACKAGE, '--', 'conformance', 'server', '--url', url, '--output-dir', outputDir];
  const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', npm_config_update_notifier: 'false' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  try {
    return { exitCode, results: readResults(outputDir), output };
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

function readResults(dir: string): Record<string, Record<string, ConformanceCheck['status']>> {
  const results: Record<string, Record<string, ConformanceCheck['status']>> = {};
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const checksFile = join(path, 'checks.json');
    if (!statSync(path).isDirectory() || !existsSync(checksFile)) continue;
    const scenario = entry.replace(/-\d{4}-\d{2}-\d{2}T.*$/, '').replace(/^server-/, '');
    const checks = JSON.parse(readFileSync(checksFile, 'utf8')) as ConformanceCheck[];
    results[scenario] = Object.fromEntries(checks.map((check, i) => [`${i}:${check.id}`, check.status]));
  }
  return results;
}
