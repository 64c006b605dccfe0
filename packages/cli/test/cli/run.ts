/** Runs the real `gatehouse` executable (tsx + bin.ts) as a child process, as a person or script would. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const TSX = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
const BIN = fileURLToPath(new URL('../../src/bin.ts', import.meta.url));
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

const childEnv = (env: RunOptions['env']) => ({ ...process.env, GATEHOUSE_DATABASE_URL: undefined, GATEHOUSE_DEBUG: undefined, NO_COLOR: '1', ...env });

export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(TSX, [BIN, ...args], { cwd: options.cwd, env: childEnv(options.env), timeout: 60_000 }, (error, stdout, stderr) => {
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
  const child = spawn(TSX, [BIN, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
