/**
 * Runs the MCP conformance suite's `authorization` mode (docs/conformance.md)
 * through npx with a Node 22 binary from the registry (the package needs
 * Node 22; CI runs Node 20). The CLI prints the authorization URL and waits
 * for a browser to reach its callback server; `onAuthorizationUrl` is where
 * the test drives Chromium. Results come from the checks.json files it
 * writes, because its exit status ignores warnings.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const CONFORMANCE_PACKAGE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';

export interface ConformanceCheck {
  id: string;
  name: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';
  errorMessage?: string;
}

export interface ConformanceRun {
  exitCode: number | null;
  /** Scenario name → its checks, from `<output>/authorization-server-<scenario>-<time>/checks.json`. */
  scenarios: Record<string, ConformanceCheck[]>;
  /** Everything the CLI printed, for the failure message. */
  output: string;
}

export interface ConformanceOptions {
  issuer: string;
  authorizationEndpoint: string;
  clientId: string;
  resource: string;
  callbackPort: number;
  /** Called once with the URL the CLI asks a person to open. */
  onAuthorizationUrl: (url: string) => Promise<void>;
  timeoutMs: number;
}

export async function runAuthorizationConformance(options: ConformanceOptions): Promise<ConformanceRun> {
  const outputDir = mkdtempSync(join(tmpdir(), 'gatehouse-conformance-'));
  const args = [
    '-y',
    '-p',
    'node@22',
    '-p',
    CONFORMANCE_PACKAGE,
    '--',
    'conformance',
    'authorization',
    '--url',
    options.issuer,
    '--client-id',
    options.clientId,
    '--resource',
    options.resource,
    '--port',
    String(options.callbackPort),
    '--output-dir',
    outputDir,
  ];
  const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  let output = '';
  let browserStep: Promise<void> | undefined;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    output += `${line}\n`;
    if (!browserStep && line.startsWith(options.authorizationEndpoint)) {
      browserStep = options.onAuthorizationUrl(line.trim()).catch((error: unknown) => {
        output += `\n[browser step failed] ${(error as Error).stack ?? String(error)}\n`;
        child.kill('SIGTERM'); // the CLI would otherwise wait 5 minutes for a callback that cannot come
      });
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  await browserStep;
  try {
    return { exitCode, scenarios: readChecks(outputDir), output };
  } finally {
    rmSync(outputDir, { recursive: true, force: true });
  }
}

function readChecks(outputDir: string): Record<string, ConformanceCheck[]> {
  const scenarios: Record<string, ConformanceCheck[]> = {};
  for (const entry of readdirSync(outputDir)) {
    const scenario = /^authorization-server-(.+)-\d{4}-\d{2}-\d{2}T/.exec(entry)?.[1];
    if (!scenario) continue;
    scenarios[scenario] = JSON.parse(readFileSync(join(outputDir, entry, 'checks.json'), 'utf8')) as ConformanceCheck[];
  }
  return scenarios;
}
