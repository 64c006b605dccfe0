/**
 * Runs a benchmark server in its own Node process (so the load generator
 * does not steal its event loop) and reads the JSON it announces once it
 * listens. IPC carries later questions (e.g. "how many tokens did
 * you persist?").
 */
import { fork, type ChildProcess } from 'node:child_process';

/** The prefix of the line a child prints once it listens: `announceReady(info)`. */
const READY = 'BENCH_READY ';

export const announceReady = (info: unknown): void => {
  process.stdout.write(`${READY}${JSON.stringify(info)}\n`);
};

export interface ServerChild<T> {
  info: T;
  ask<R>(question: string): Promise<R>;
  stop(): Promise<void>;
}

export async function startChild<T>(script: string): Promise<ServerChild<T>> {
  const child: ChildProcess = fork(script, [], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_CHILD_ARGS ? process.env.BENCH_CHILD_ARGS.split(' ') : [])], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const info = await new Promise<T>((resolve, reject) => {
    let buffer = '';
    // Libraries print notices on stdout too (oidc-provider does): only the marked line counts.
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith(READY)) resolve(JSON.parse(line.slice(READY.length)) as T);
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  return {
    info,
    ask: <R>(question: string) =>
      new Promise<R>((resolve) => {
        child.once('message', (answer) => resolve(answer as R));
        child.send(question);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
