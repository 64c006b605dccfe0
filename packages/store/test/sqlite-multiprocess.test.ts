/**
 * Several Gatehouse processes on one SQLite file: BEGIN IMMEDIATE plus
 * busy_timeout must serialise their writers, so the atomic operations keep
 * their guarantees across processes (no SQLITE_BUSY, no double redemption).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createTestStore } from '@gatehouse-auth/store/testing';
import { aCode, aLiveGrant, aToken } from './conformance/fixtures.ts';

const RACER = fileURLToPath(new URL('./support/sqlite-racer.ts', import.meta.url));
const PROCESSES = 4;
const ROUNDS = 10;

function startRacer(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', RACER, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const iterator = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const { value, done } = await iterator.next();
    if (done) throw new Error('racer exited before answering');
    return value as string;
  };
  return { child, next };
}

describe('SQLite shared by several processes', () => {
  it(`redeems a code once and rotates a refresh token once across ${PROCESSES} processes racing ${ROUNDS} times each`, async () => {
    const { store, url, cleanup } = await createTestStore('sqlite');
    const racers: ReturnType<typeof startRacer>[] = [];
    try {
      const grant = await aLiveGrant(store);
      await store.grants.create(grant);
      const refresh = aToken(grant);
      await store.tokens.insert([refresh]);
      const code = aCode(grant);
      await store.codes.create(code);

      for (let i = 0; i < PROCESSES; i++) {
        racers.push(startRacer([url, code.hash, JSON.stringify(refresh), JSON.stringify(grant), String(ROUNDS)]));
      }
      for (const racer of racers) expect(await racer.next()).toBe('ready');
      for (const racer of racers) racer.child.stdin!.write('go\n');
      const outcomes = await Promise.all(racers.map(async (r) => JSON.parse(await r.next()) as { codes: string[]; rotations: string[] }));

      const tally = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
      const total = PROCESSES * ROUNDS;
      expect(tally(outcomes.flatMap((o) => o.codes))).toEqual({ consumed: 1, replayed: total - 1 });
      expect(tally(outcomes.flatMap((o) => o.rotations))).toEqual({ rotated: 1, reuse_detected: 1, 'invalid:revoked': total - 2 });
      expect((await store.grants.get(grant.id))?.revokedAt).not.toBeNull();
    } finally {
      for (const racer of racers) racer.child.kill();
      await cleanup();
    }
  });
});
