import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { GatehouseEvent } from '@gatehouse-auth/core';
import { PostgresEventBus, splitForNotify } from '@gatehouse-auth/store';
import { requirePostgres, TEST_POSTGRES_URL } from '@gatehouse-auth/store/testing';

const available = await requirePostgres('@gatehouse-auth/store PostgresEventBus');

/** Resolves once `predicate` holds for the collected events (NOTIFY is asynchronous). */
function collect(bus: PostgresEventBus) {
  const events: (GatehouseEvent & { at: number })[] = [];
  const waiters: (() => void)[] = [];
  bus.subscribe((event) => {
    events.push(event);
    for (const wake of waiters.splice(0)) wake();
  });
  const until = async (predicate: () => boolean): Promise<void> => {
    while (!predicate()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { events, until };
}

describe.skipIf(!available)('PostgresEventBus (LISTEN/NOTIFY fan-out)', () => {
  const buses: PostgresEventBus[] = [];
  const channel = `gh_test_${randomBytes(5).toString('hex')}`;
  const open = async () => {
    const bus = await PostgresEventBus.connect(TEST_POSTGRES_URL, { channel, now: () => 42 });
    buses.push(bus);
    return bus;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });

  it('delivers an event published on one connection to a subscriber on another, and once to the publisher’s own subscriber', async () => {
    const [a, b] = [await open(), await open()];
    const atA = collect(a);
    const atB = collect(b);
    const event: GatehouseEvent = { type: 'token.revoked', tokenHashes: ['aGFzaDE', 'aGFzaDI'], reason: 'revoked_by_admin', userId: 'usr_1' };
    await a.publish(event);
    await atB.until(() => atB.events.length === 1);
    expect(atB.events).toEqual([{ ...event, at: 42 }]);
    // A marker from B proves A has drained its notifications: A heard B's marker but not its own event twice.
    await b.publish({ type: 'logout', userId: 'usr_marker' });
    await atA.until(() => atA.events.length === 2);
    expect(atA.events.map((e) => e.type)).toEqual(['token.revoked', 'logout']);
  });

  it('splits a revocation too large for one NOTIFY and still announces every hash exactly once', async () => {
    const [a, b] = [await open(), await open()];
    const atB = collect(b);
    const tokenHashes = Array.from({ length: 600 }, () => randomBytes(32).toString('base64url'));
    expect(splitForNotify({ type: 'grant.revoked', grantId: 'grt_1', tokenHashes, at: 1 }, 'o').length).toBeGreaterThan(1);
    await a.publish({ type: 'grant.revoked', grantId: 'grt_1', tokenHashes });
    const received = () => atB.events.flatMap((e) => (e.type === 'grant.revoked' ? e.tokenHashes : []));
    await atB.until(() => received().length >= tokenHashes.length);
    expect(received().sort()).toEqual([...tokenHashes].sort());
    expect(new Set(atB.events.map((e) => (e.type === 'grant.revoked' ? e.grantId : '')))).toEqual(new Set(['grt_1']));
  });

  it('does not deliver to a listener that unsubscribed', async () => {
    const [a, b] = [await open(), await open()];
    const seen: string[] = [];
    const off = b.subscribe((e) => void seen.push(e.type));
    const marker = collect(b);
    off();
    await a.publish({ type: 'logout', userId: 'usr_2' });
    await marker.until(() => marker.events.length === 1);
    expect(seen).toEqual([]);
  });

  /** What a failover or pooler restart does to the buses' LISTEN connections. */
  const dropConnections = async (): Promise<number> => {
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      const result = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`gatehouse:${channel}`]);
      return result.rowCount ?? 0;
    } finally {
      await admin.end();
    }
  };
  const resynced = (bus: PostgresEventBus) =>
    new Promise<void>((resolve) => {
      const off = bus.onResync(() => {
        off();
        resolve();
      });
    });

  it('issue 10: after its connection is terminated, reconnects, LISTENs again, tells resync listeners, and delivers events published after the drop', async () => {
    const [a, b] = [await open(), await open()];
    const atB = collect(b);
    const back = Promise.all([resynced(a), resynced(b)]);
    expect(await dropConnections()).toBe(2);
    await back;
    expect([a.connected, b.connected]).toEqual([true, true]);
    await a.publish({ type: 'token.revoked', tokenHashes: ['aGFzaDM'], reason: 'revoked_by_admin' });
    await atB.until(() => atB.events.length === 1);
    expect(atB.events[0]).toMatchObject({ type: 'token.revoked', tokenHashes: ['aGFzaDM'] });
  });

  it('issue 10: a revocation published while the connection is down does not fail its publisher and reaches the other processes once it is back', async () => {
    const a = await open();
    // Another process whose connection survives (a plain LISTEN outside the dropped ones).
    const other = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await other.connect();
    const heard: string[] = [];
    other.on('notification', (message) => void heard.push(message.payload ?? ''));
    await other.query(`LISTEN ${channel}`);
    try {
      await dropConnections();
      // Published at once: the bus has either noticed the drop (queued) or not yet (its send fails and is kept).
      await a.publish({ type: 'grant.revoked', grantId: 'grt_down', tokenHashes: ['aGFzaDQ'] });
      await vi.waitFor(() => expect(heard.length).toBeGreaterThan(0), { timeout: 10_000 });
      // A resend of a notification whose first send did go out is a harmless duplicate.
      for (const payload of heard) expect(JSON.parse(payload).event).toEqual({ type: 'grant.revoked', grantId: 'grt_down', tokenHashes: ['aGFzaDQ'], at: 42 });
    } finally {
      await other.end();
    }
  });

  it('issue 10: concurrent publishes never run two queries at once on the bus connection (pg: "already executing a query")', async () => {
    const [a, b] = [await open(), await open()];
    const atB = collect(b);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      await Promise.all(Array.from({ length: 50 }, (_, i) => a.publish({ type: 'logout', userId: `usr_c${i}` })));
      await atB.until(() => atB.events.length === 50);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => /already executing a query/.test(w))).toEqual([]);
    expect(new Set(atB.events.map((e) => (e.type === 'logout' ? e.userId : ''))).size).toBe(50);
  });

  it('refuses a channel name that is not a plain identifier', async () => {
    await expect(PostgresEventBus.connect(TEST_POSTGRES_URL, { channel: 'x; drop' })).rejects.toThrow(/invalid NOTIFY channel/);
  });
});
