/**
 * Issue 16, item 1: time-boxed or emergency access ends by itself, with an
 * audit record when it does, without waiting for a refresh to notice. The
 * expiry sweep (src/consent/expiry-sweep.ts) with an injected clock; each
 * ending is one event (the audit log writes one record per event: see
 * packages/cli/test/server/grant-expiry-sweep.test.ts for the records of a
 * running server), and a second server process over the same PostgreSQL
 * database records nothing twice. The store's exactly-once on SQLite and
 * PostgreSQL is in the store conformance suite (grant-expiry.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalEventBus, tokenHash, type GatehouseEvent } from '@gatehouse-auth/core';
import { createTestStore, requirePostgres } from '@gatehouse-auth/store/testing';
import { resolveOptions, type ServerContext } from '../../src/index.ts';
import { startGrantExpirySweep, sweepEndedGrants } from '../../src/consent/expiry-sweep.ts';
import { toRevocationMessage } from '../../src/events-stream/revocation-event.ts';
import { createFixture, introspect, ISSUER, issueCode, redeem, token, type Fixture } from '../token/fixture.ts';

let fx: Fixture;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function start(options: Parameters<typeof createFixture>[0] = {}, engine: 'sqlite' | 'postgres' = 'sqlite') {
  fx = await createFixture(options, engine);
  closers.push(() => fx.close());
}

const endings = (events: Array<{ type: string }>, type: 'grant.expired' | 'grant.scopes_expired') => events.filter((e) => e.type === type);

/** A consented grant with tokens, time-boxed as `gatehouse grants limit` does. */
async function timeBoxedGrant(box: { grantEndsIn?: number; scopeEndsIn?: Record<string, number> }) {
  const issued = await issueCode(fx, { scopes: ['crm:read', 'crm:write'] });
  const tokens = (await redeem(fx, issued)).body;
  const now = fx.clock.now();
  const scopeExpiresAt = Object.fromEntries(Object.entries(box.scopeEndsIn ?? {}).map(([scope, ms]) => [scope, now + ms]));
  await fx.store.grants.setLifetime(issued.grantId, { expiresAt: box.grantEndsIn === undefined ? null : now + box.grantEndsIn, scopeExpiresAt }, now);
  return { grantId: issued.grantId, access: tokens.access_token!, refresh: tokens.refresh_token! };
}

describe('grant expiry sweep: a grant that ends by itself is recorded when it ends', () => {
  it('revokes the grant and its tokens, records one grant.expired, announces the revocation, and introspection answers active:false', async () => {
    await start();
    const grant = await timeBoxedGrant({ grantEndsIn: 60_000 });
    fx.clock.advance(59_999);
    expect(await sweepEndedGrants(fx.ctx)).toBe(0);
    fx.clock.advance(1);
    expect(await sweepEndedGrants(fx.ctx)).toBe(1);
    expect(endings(fx.events, 'grant.expired')).toEqual([expect.objectContaining({ grantId: grant.grantId, scopes: ['crm:read', 'crm:write'], endedAt: fx.clock.now() })]);
    expect(await introspect(fx, grant.access)).toEqual({ active: false });
    expect((await fx.store.grants.get(grant.grantId))!.revokedAt).toBe(fx.clock.now());
    // On the revocation stream like any revocation: resource servers drop the tokens at once.
    const revoked = fx.events.find((e) => e.type === 'token.revoked');
    expect(toRevocationMessage(revoked!)?.tokenHashes).toEqual(expect.arrayContaining([tokenHash(grant.access), tokenHash(grant.refresh)]));
  });

  it('a second sweep and a refresh afterwards record nothing more', async () => {
    await start();
    const grant = await timeBoxedGrant({ grantEndsIn: 60_000 });
    fx.clock.advance(60_000);
    await sweepEndedGrants(fx.ctx);
    expect(await sweepEndedGrants(fx.ctx)).toBe(0);
    const refreshed = await token(fx, { grant_type: 'refresh_token', refresh_token: grant.refresh, client_id: 'public-app' });
    expect(refreshed.body.error).toBe('invalid_grant');
    expect(endings(fx.events, 'grant.expired')).toHaveLength(1);
  });

  it('a grant whose every scope was time-boxed ends with its last scope', async () => {
    await start();
    const grant = await timeBoxedGrant({ scopeEndsIn: { 'crm:read': 30_000, 'crm:write': 60_000 } });
    fx.clock.advance(30_000);
    await sweepEndedGrants(fx.ctx);
    expect(endings(fx.events, 'grant.scopes_expired')).toEqual([expect.objectContaining({ scopes: ['crm:read'] })]);
    expect(await introspect(fx, grant.access)).toMatchObject({ active: true, scope: 'crm:write' });
    fx.clock.advance(30_000);
    await sweepEndedGrants(fx.ctx);
    expect(endings(fx.events, 'grant.expired')).toEqual([expect.objectContaining({ scopes: ['crm:write'] })]);
    expect(await introspect(fx, grant.access)).toEqual({ active: false });
  });
});

describe('grant expiry sweep: a time-boxed scope that ends by itself is recorded when it ends', () => {
  it('takes the scope out of the grant, records one grant.scopes_expired, and no token carries it any more', async () => {
    await start();
    const grant = await timeBoxedGrant({ scopeEndsIn: { 'crm:write': 60_000 } });
    fx.clock.advance(60_000);
    expect(await sweepEndedGrants(fx.ctx)).toBe(1);
    expect(await sweepEndedGrants(fx.ctx)).toBe(0);
    expect(endings(fx.events, 'grant.scopes_expired')).toEqual([expect.objectContaining({ grantId: grant.grantId, scopes: ['crm:write'] })]);
    expect((await fx.store.grants.get(grant.grantId))!.scopes).toEqual(['crm:read']);
    expect(await introspect(fx, grant.access)).toMatchObject({ active: true, scope: 'crm:read' });
    // Forwarded on the revocation stream: resource servers drop the user's cached answers, which still list the scope.
    const ended = fx.events.find((e) => e.type === 'grant.scopes_expired');
    expect(toRevocationMessage(ended!)).toMatchObject({ type: 'grant.scopes_expired', clientId: 'public-app' });
    // The refresh token does not bring it back, and the refresh records it no second time.
    const refreshed = await token(fx, { grant_type: 'refresh_token', refresh_token: grant.refresh, client_id: 'public-app' });
    expect(refreshed.body.scope).toBe('crm:read');
    expect(endings(fx.events, 'grant.scopes_expired')).toHaveLength(1);
  });
});

describe.skipIf(!(await requirePostgres('grant expiry sweep across two processes')))('grant expiry sweep: two processes sweeping one PostgreSQL database', () => {
  it('records each ending once between them', async () => {
    const shared = await createTestStore('postgres');
    closers.push(() => shared.cleanup());
    await start();
    // Both "processes" on the shared schema: the fixture's seeded catalogue is not needed by the sweep.
    const processOn = (store: typeof shared.store) => {
      const events: GatehouseEvent[] = [];
      const bus = new LocalEventBus(() => fx.clock.now());
      bus.subscribe((event) => void events.push(event));
      const ctx: ServerContext = { store, events: bus, clock: fx.clock, options: fx.ctx.options, log: () => {} };
      return { ctx, events };
    };
    const one = processOn(shared.store);
    const two = processOn(await shared.openAnother());
    const now = fx.clock.now();
    const grant = (id: string, over: object) => ({
      id,
      userId: null,
      orgId: null,
      clientId: 'cli_x',
      resource: 'https://mcp.example.com/mcp',
      scopes: ['a', 'b'],
      scopeConsentedAt: { a: now, b: now },
      expiresAt: null,
      scopeExpiresAt: {},
      createdAt: now,
      updatedAt: now,
      revokedAt: null,
      ...over,
    });
    for (let i = 0; i < 20; i++) {
      await shared.store.grants.create(grant(`grt_end_${i}`, { expiresAt: now + 1_000 }));
      await shared.store.grants.create(grant(`grt_box_${i}`, { scopeExpiresAt: { b: now + 1_000 } }));
    }
    fx.clock.advance(1_000);
    const [here, there] = await Promise.all([sweepEndedGrants(one.ctx), sweepEndedGrants(two.ctx)]);
    expect(here + there).toBe(40);
    const all = [...one.events, ...two.events];
    expect(endings(all, 'grant.expired')).toHaveLength(20);
    expect(endings(all, 'grant.scopes_expired')).toHaveLength(20);
    expect(await sweepEndedGrants(one.ctx)).toBe(0);
  });
});

describe('grant expiry sweep: the timer', () => {
  it('sweeps every grantExpirySweepMs once started, and stops on stop()', async () => {
    await start({ grantExpirySweepMs: 20 });
    await timeBoxedGrant({ grantEndsIn: 1 });
    fx.clock.advance(1);
    const sweep = startGrantExpirySweep(fx.ctx);
    await expect.poll(() => endings(fx.events, 'grant.expired').length, { timeout: 5_000 }).toBe(1);
    await sweep.stop();
  });

  it('defaults to every 30 s; 0 starts nothing', async () => {
    expect(resolveOptions({ issuer: ISSUER }).grantExpirySweepMs).toBe(30_000);
    await start({ grantExpirySweepMs: 0 });
    await timeBoxedGrant({ grantEndsIn: 1 });
    fx.clock.advance(1);
    const sweep = startGrantExpirySweep(fx.ctx);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sweep.stop();
    expect(endings(fx.events, 'grant.expired')).toHaveLength(0);
  });
});
