/**
 * Issue 16, item 1 as `gatehouse serve` runs it: a time-boxed grant that
 * ends by itself gets its audit record from the server's expiry sweep
 * (server.grant_expiry_sweep_seconds), with no refresh and no request at
 * all; two servers on one PostgreSQL database write it once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chainOf } from '@gatehouse-auth/audit';
import { ManualClock, type Grant } from '@gatehouse-auth/core';
import { createTestStore, requirePostgres, type TestStore } from '@gatehouse-auth/store/testing';
import type { Store } from '@gatehouse-auth/store';
import { startGatehouse, type RunningGatehouse } from '../../src/server/start.ts';
import { parseConfig } from '../../src/config/load.ts';

const ORG = 'org_sweep';
const postgres = await requirePostgres('expiry sweep of two servers');
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function serve(store: Store, clock: ManualClock): Promise<RunningGatehouse> {
  const gatehouse = await startGatehouse({ store, clock, config: parseConfig('server:\n  grant_expiry_sweep_seconds: 1\n') });
  closers.push(() => gatehouse.close());
  return gatehouse;
}

async function timeBoxedGrant(store: Store, now: number, over: Partial<Grant>): Promise<Grant> {
  const grant: Grant = {
    id: `grt_${Math.random().toString(36).slice(2)}`,
    userId: 'usr_sweep',
    orgId: ORG,
    clientId: 'cli_sweep',
    resource: 'https://mcp.example.com/mcp',
    scopes: ['tickets:read', 'tickets:write'],
    scopeConsentedAt: { 'tickets:read': now, 'tickets:write': now },
    expiresAt: null,
    scopeExpiresAt: {},
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
    ...over,
  };
  await store.grants.create(grant);
  return grant;
}

const records = async (store: Store, type: string) => store.audit.find({ chain: chainOf(ORG), type, order: 'asc', limit: 10 });

async function recordsEndingsOnce(test: TestStore, second?: Store) {
  const clock = new ManualClock();
  const first = await serve(test.store, clock);
  const other = second ? await serve(second, clock) : undefined;
  const now = clock.now();
  const ended = await timeBoxedGrant(test.store, now, { expiresAt: now + 60_000 });
  await timeBoxedGrant(test.store, now, { scopeExpiresAt: { 'tickets:write': now + 60_000 } });
  clock.advance(60_000);
  await expect.poll(async () => (await records(test.store, 'grant.expired')).length, { timeout: 10_000, interval: 200 }).toBe(1);
  await expect.poll(async () => (await records(test.store, 'grant.scopes_expired')).length, { timeout: 10_000, interval: 200 }).toBe(1);
  // Two more sweeps of each server: nothing is recorded twice.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  await first.audit?.flush();
  await other?.audit?.flush();
  const [expired] = await records(test.store, 'grant.expired');
  expect(expired).toMatchObject({ orgId: ORG, clientId: 'cli_sweep', userId: 'usr_sweep', result: 'success', actor: null });
  expect(JSON.parse(expired!.details ?? 'null')).toMatchObject({ grantId: ended.id, endedAt: now + 60_000 });
  expect(await records(test.store, 'grant.expired')).toHaveLength(1);
  expect(await records(test.store, 'grant.scopes_expired')).toHaveLength(1);
  expect((await test.store.grants.get(ended.id))?.revokedAt).not.toBeNull();
}

describe('gatehouse serve records grants that end by themselves (expiry sweep)', () => {
  it('SQLite: one audit record per ending, written by the sweep without any request', async () => {
    const test = await createTestStore('sqlite');
    closers.push(() => test.cleanup());
    await recordsEndingsOnce(test);
  });

  it.skipIf(!postgres)('PostgreSQL: two servers sweeping one database write each record once', async () => {
    const test = await createTestStore('postgres');
    closers.push(() => test.cleanup());
    await recordsEndingsOnce(test, await test.openAnother());
  });
});
