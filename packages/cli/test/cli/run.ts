/**
 * Runs the real `gatehouse` executable as a child process, as a person or script would: the built
 * dist/bin.js under plain node, as the package ships it (vitest.global-setup.ts builds it when stale).
 * A process a fraction of a second old, where tsx took seconds to transpile the sources each time.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
export const EXAMPLE_CONFIG = fileURLToPath(new URL('../../../../examples/internal-company/gatehouse.yaml', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
}

/** NODE_OPTIONS loses the workspace's source condition (vitest.config.ts): the built CLI imports the built packages. */
export const builtEnv = (): NodeJS.ProcessEnv => ({ ...process.env, NODE_OPTIONS: withoutSourceCondition(process.env.NODE_OPTIONS) });
const withoutSourceCondition = (options = ''): string =>
  options
    .split(' ')
    .filter((o) => !o.startsWith('--conditions=@gatehouse-auth/source'))
    .join(' ');
const childEnv = (env: RunOptions['env']) => ({ ...builtEnv(), GATEHOUSE_DATABASE_URL: undefined, GATEHOUSE_DEBUG: undefined, NO_COLOR: '1', ...env });

export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: options.cwd, env: childEnv(options.env), timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

export interface LongRunning {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>;
}

/** Starts a long-running command and resolves once stdout contains `ready` (or rejects when it exits first). */
export function startCli(args: string[], ready: string, options: RunOptions = {}): Promise<LongRunning> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      // A process ended by a signal has no exit code: say which signal, so a failing stop() explains itself.
      if (code === null) err += `\n[gatehouse ${args[0]} was ended by ${signal}]\n`;
      resolve(code);
    }),
  );
  const handle: LongRunning = {
    child,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(ready)) resolve(handle);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    void exited.then((code) => reject(new Error(`gatehouse ${args.join(' ')} exited with ${code} before "${ready}":\n${out}\n${err}`)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A stack trace line, which a person must never see for a mistake they made. */
export const STACK_LINE = /^\s+at .+\(.*\)$/m;
