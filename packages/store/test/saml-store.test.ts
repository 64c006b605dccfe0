/**
 * The SAML state and replay cache on both engines: a request id or verified
 * sign-in is taken exactly once, and an assertion id is accepted exactly
 * once until its NotOnOrAfter, even when many callers (and, on PostgreSQL,
 * two pools standing for two processes) race.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Store } from '@gatehouse-auth/store';
import { createTestStore, requirePostgres, type TestStore } from '@gatehouse-auth/store/testing';

const postgres = await requirePostgres('@gatehouse-auth/store SAML store on PostgreSQL');
const fresh = (): string => `_${randomBytes(8).toString('hex')}`;

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !postgres)(`SAML store (${engine})`, () => {
    let test: TestStore;
    let other: Store;
    beforeAll(async () => {
      test = await createTestStore(engine);
      other = engine === 'postgres' ? await test.openAnother() : test.store;
    });
    afterAll(async () => {
      await test?.cleanup();
    });

    it('takeState returns the parked state once, then nothing', async () => {
      const id = fresh();
      await test.store.saml.putState(id, { requestId: id, org: 'acme' }, 10_000);
      expect(await test.store.saml.takeState(id, 1_000)).toEqual({ requestId: id, org: 'acme' });
      expect(await test.store.saml.takeState(id, 1_000)).toBeUndefined();
    });

    it('takeState refuses an expired state and removes it', async () => {
      const id = fresh();
      await test.store.saml.putState(id, { x: 1 }, 5_000);
      expect(await test.store.saml.takeState(id, 5_000)).toBeUndefined();
      expect(await test.store.saml.takeState(id, 1_000)).toBeUndefined();
    });

    it('exactly one of 20 concurrent takers (across pools) gets the state', async () => {
      const id = fresh();
      await test.store.saml.putState(id, { won: true }, 10_000);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : test.store).saml.takeState(id, 1_000)));
      expect(results.filter((r) => r !== undefined)).toEqual([{ won: true }]);
    });

    it('replay cache: an assertion id is accepted once, refused while it is live', async () => {
      const key = fresh();
      expect(await test.store.saml.recordAssertion(key, 10_000, 1_000)).toBe(true);
      expect(await test.store.saml.recordAssertion(key, 10_000, 2_000)).toBe(false);
      expect(await other.saml.recordAssertion(key, 10_000, 9_999)).toBe(false);
    });

    it('replay cache: a key whose NotOnOrAfter passed may be recorded again', async () => {
      const key = fresh();
      expect(await test.store.saml.recordAssertion(key, 5_000, 1_000)).toBe(true);
      expect(await test.store.saml.recordAssertion(key, 20_000, 5_000)).toBe(true);
      expect(await test.store.saml.recordAssertion(key, 20_000, 6_000)).toBe(false);
    });

    it('replay cache: exactly one of 20 concurrent recorders (across pools) wins', async () => {
      const key = fresh();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : test.store).saml.recordAssertion(key, 10_000, 1_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('purgeExpired deletes only rows whose time is up', async () => {
      const [live, dead, liveKey, deadKey] = [fresh(), fresh(), fresh(), fresh()];
      await test.store.saml.putState(live, {}, 1_000_000_000_000);
      await test.store.saml.putState(dead, {}, 2);
      await test.store.saml.recordAssertion(liveKey, 1_000_000_000_000, 1);
      await test.store.saml.recordAssertion(deadKey, 2, 1);
      expect(await test.store.saml.purgeExpired(3)).toBeGreaterThanOrEqual(2);
      expect(await test.store.saml.recordAssertion(deadKey, 1_000_000_000_000, 1)).toBe(true);
      expect(await test.store.saml.recordAssertion(liveKey, 1_000_000_000_000, 1)).toBe(false);
      expect(await test.store.saml.takeState(live, 3)).toEqual({});
    });
  });
}
