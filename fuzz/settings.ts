/**
 * How many hostile requests a fuzz suite sends and from which seed, and a
 * watch on unhandled promise rejections while it runs.
 *
 * GATEHOUSE_FUZZ_RUNS (default 300: the seeded run of the normal test
 * suite; `npm run fuzz` sets 100,000) and GATEHOUSE_FUZZ_SEED (default a
 * fixed seed so a CI failure reproduces; `random` picks one). The seed is
 * printed either way: rerun with it to replay a failure.
 */
export const DEFAULT_SEED = 20261206;

export interface FuzzSettings {
  runs: number;
  seed: number;
}

export function fuzzSettings(suite: string, defaultRuns = 300): FuzzSettings {
  const runs = Number(process.env.GATEHOUSE_FUZZ_RUNS ?? defaultRuns);
  const rawSeed = process.env.GATEHOUSE_FUZZ_SEED;
  const seed = rawSeed === 'random' ? Math.floor(Math.random() * 2 ** 31) : rawSeed ? Number(rawSeed) : DEFAULT_SEED;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`GATEHOUSE_FUZZ_RUNS must be a positive integer, got ${process.env.GATEHOUSE_FUZZ_RUNS}`);
  if (!Number.isInteger(seed)) throw new Error(`GATEHOUSE_FUZZ_SEED must be an integer or "random", got ${rawSeed}`);
  console.log(`[fuzz] ${suite}: ${runs} cases, seed ${seed} (replay: GATEHOUSE_FUZZ_SEED=${seed} GATEHOUSE_FUZZ_RUNS=${runs})`);
  return { runs, seed };
}

/** Vitest timeout for a run: generous per case on a loaded 2-core machine. */
export const timeoutFor = (runs: number): number => 60_000 + runs * 20;

/** Collects every unhandled rejection from install() to stop(). */
export function watchUnhandledRejections(): { rejections: unknown[]; install(): void; stop(): void } {
  const rejections: unknown[] = [];
  const listener = (reason: unknown): void => {
    rejections.push(reason);
  };
  return {
    rejections,
    install: () => void process.on('unhandledRejection', listener),
    stop: () => void process.off('unhandledRejection', listener),
  };
}

/** Lets rejections of promises dropped by the last request surface before it is judged (two turns of the loop: attributed to the right request in practice). */
export const settle = async (): Promise<void> => {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
};
