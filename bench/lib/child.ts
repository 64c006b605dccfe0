/**
 * Runs a benchmark server in its own Node process (so the load generator
 * does not steal its event loop) and reads the JSON it announces once it
 * listens. IPC carries later questions (e.g. "how many tokens did
 * you persist?").
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import type { SeededTokens } from './as-gatehouse-seed.ts';

/** The prefix of the line a child prints once it listens: `announceReady(info)`. */
const READY = 'BENCH_READY ';

export const announceReady = (info: unknown): void => {
  process.stdout.write(`${READY}${JSON.stringify(info)}\n`);
};

/**
 * The child's side: CPU time, and slices of its token populations (`take:access:N`,
 * `take:refresh:N`: each token handed out once), plus the server's own questions.
 */
export function answerQuestions(tokens: SeededTokens, own: Record<string, () => unknown>): void {
  const taken = { access: 0, refresh: 0 };
  process.on('message', async (question: string) => {
    const [verb, kind, n] = question.split(':') as [string, 'access' | 'refresh' | undefined, string | undefined];
    let answer: unknown;
    if (question === 'cpu') {
      const usage = process.cpuUsage();
      answer = usage.user + usage.system;
    } else if (question === 'threads') {
      answer = threadTimes();
    } else if (question === 'profile-start' || question === 'profile-stop') {
      answer = await (question === 'profile-start' ? profiler.start() : profiler.stop());
    } else if (verb === 'take' && kind) {
      const from = taken[kind];
      taken[kind] = Math.min(tokens[kind].length, from + Number(n));
      answer = tokens[kind].slice(from, taken[kind]);
    } else if (question === 'all:access') {
      answer = tokens.access;
    } else {
      answer = await own[question]?.();
    }
    process.send!({ question, answer });
  });
}

/**
 * BENCH_PROFILE_DIR: a CPU profile of this process over the measured runs
 * only (not startup, seeding or the other server's turns), one
 * .cpuprofile per run, for `node --cpu-prof`'s readers.
 */
const profiler = (() => {
  let session: Session | undefined;
  let runs = 0;
  const post = (method: string) => new Promise<unknown>((resolve, reject) => session!.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  return {
    async start(): Promise<void> {
      if (!process.env.BENCH_PROFILE_DIR) return;
      session ??= new Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.start');
    },
    async stop(): Promise<string | undefined> {
      if (!session) return undefined;
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      session = undefined;
      const path = join(process.env.BENCH_PROFILE_DIR!, `${process.pid}-${(runs += 1)}.cpuprofile`);
      writeFileSync(path, JSON.stringify(profile));
      return path;
    },
  };
})();

/** Linux: CPU ms (user+system) of each thread of this process, by thread name; for BENCH_VERBOSE. */
function threadTimes(): Record<string, { user: number; system: number }> {
  const out: Record<string, { user: number; system: number }> = {};
  try {
    for (const task of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const entry = (out[name] ??= { user: 0, system: 0 });
      entry.user += Number(fields[11]) * 10;
      entry.system += Number(fields[12]) * 10;
    }
  } catch {
    // not Linux: no breakdown
  }
  return out;
}

export interface ServerChild<T> {
  info: T;
  pid: number;
  ask<R>(question: string): Promise<R>;
  stop(): Promise<void>;
}

/** `env`: the child's environment (default this process's). */
export async function startChild<T>(script: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<ServerChild<T>> {
  const child: ChildProcess = fork(script, args, {
    env,
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CHILD_ARGS ? process.env.BENCH_CHILD_ARGS.split(' ') : [])],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const info = await new Promise<T>((resolve, reject) => {
    let buffer = '';
    // Libraries print notices on stdout too (oidc-provider does, serve prints its address): only the marked line counts.
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith(READY)) resolve(JSON.parse(line.slice(READY.length)) as T);
        else if (process.env.BENCH_VERBOSE) process.stderr.write(`  [${script.split('/').at(-1)}] ${line}\n`);
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  // One question at a time per child: answers carry their question so a late one is never taken for another.
  let queue = Promise.resolve();
  return {
    info,
    pid: child.pid!,
    ask: <R>(question: string) => {
      const asked = queue.then(
        () =>
          new Promise<R>((resolve) => {
            const listener = (message: { question: string; answer: unknown }) => {
              if (message.question !== question) return;
              child.off('message', listener);
              resolve(message.answer as R);
            };
            child.on('message', listener);
            child.send(question);
          }),
      );
      queue = asked.then(
        () => undefined,
        () => undefined,
      );
      return asked;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
