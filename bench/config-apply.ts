/**
 * `npm run bench config-apply`: reconciling the example company's
 * gatehouse.yaml on both engines: the first apply (creates everything,
 * hashes 4 passwords), a repeat apply (zero changes; verifies 4 passwords)
 * and a dry run. Reference, measured in the same run: the argon2id work
 * alone (4 hashes / 4 verifies), so the figures show what reconciling
 * itself costs beyond password hashing.
 */
import { performance } from 'node:perf_hooks';
import { readFile } from 'node:fs/promises';
import { hash, verify } from '@node-rs/argon2';
import { createTestStore, postgresAvailable } from '@gatehouse-auth/store/testing';
import { apply, parseConfig } from '@gatehouse-auth/cli';

const ROUNDS = 5;
const text = await readFile(new URL('../examples/internal-company/gatehouse.yaml', import.meta.url), 'utf8');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const time = async (fn: () => Promise<unknown>) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

const passwords = parseConfig(text).users.map((u) => u.password!);
const hashes = await Promise.all(passwords.map((p) => hash(p)));
const hashMs: number[] = [];
const verifyMs: number[] = [];
const parseMs: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  hashMs.push(
    await time(async () => {
      for (const p of passwords) await hash(p);
    }),
  );
  verifyMs.push(
    await time(async () => {
      for (const [j, p] of passwords.entries()) await verify(hashes[j]!, p);
    }),
  );
  parseMs.push(await time(async () => parseConfig(text)));
}
console.log(`reference  argon2id x4 hash ${median(hashMs).toFixed(1)} ms, x4 verify ${median(verifyMs).toFixed(1)} ms; parse+validate yaml ${median(parseMs).toFixed(2)} ms`);

for (const engine of ['sqlite', 'postgres'] as const) {
  if (engine === 'postgres' && !(await postgresAvailable())) {
    console.log('postgres   skipped: PostgreSQL unreachable');
    continue;
  }
  const first: number[] = [];
  const repeat: number[] = [];
  const dry: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const { store, cleanup } = await createTestStore(engine);
    try {
      dry.push(await time(() => apply(store, parseConfig(text), { dryRun: true })));
      first.push(await time(() => apply(store, parseConfig(text))));
      repeat.push(
        await time(async () => {
          const result = await apply(store, parseConfig(text));
          if (result.changes.length !== 0) throw new Error('repeat apply was not idempotent');
        }),
      );
    } finally {
      await cleanup();
    }
  }
  const beyond = (ms: number, ref: number) => `${(ms - ref).toFixed(1)} ms beyond argon2`;
  console.log(
    `${engine.padEnd(10)} first apply (24 changes) ${median(first).toFixed(1)} ms (${beyond(median(first), median(hashMs))}); ` +
      `repeat (0 changes) ${median(repeat).toFixed(1)} ms (${beyond(median(repeat), median(verifyMs))}); dry run ${median(dry).toFixed(1)} ms  [median of ${ROUNDS}]`,
  );
}
