/**
 * Grant lifetimes (issue 16, item 1; seed 002: refreshing must not extend
 * access indefinitely without a new prompt). Injected clock throughout.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tokenHash } from '@gatehouse-auth/core';
import { createFixture, introspect, issueCode, redeem, token, type Fixture } from './fixture.ts';

const DAY = 86_400_000;
let fx: Fixture;

const refresh = (refreshToken: string) => token(fx, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'public-app' });

afterEach(() => fx.close());

describe('absolute grant lifetime', () => {
  beforeEach(async () => {
    fx = await createFixture({ grantLifetimeDays: { sensitive: 100 } });
  });

  it('seed 002: a grant whose absolute lifetime has passed cannot be refreshed, however often it was rotated', async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read', 'crm:write'] });
    const start = fx.clock.now();
    let current = (await redeem(fx, issued)).body.refresh_token!;
    // Rotating every 20 days keeps each refresh token fresh (30-day TTL), but not the grant.
    for (let day = 20; day < 100; day += 20) {
      fx.clock.advance(20 * DAY);
      const rotated = await refresh(current);
      expect(rotated.status).toBe(200);
      current = rotated.body.refresh_token!;
      // A rotated refresh token never outlives the grant's end.
      expect((await fx.store.tokens.get(tokenHash(current)))!.expiresAt).toBeLessThanOrEqual(start + 100 * DAY);
    }
    fx.clock.set(start + 100 * DAY);
    const refused = await refresh(current);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
  });

  it('an access token never outlives its grant: expires_in is cut at the grant end', async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read', 'crm:write'] });
    const start = fx.clock.now();
    let current = (await redeem(fx, issued)).body.refresh_token!;
    for (let i = 0; i < 4; i++) {
      fx.clock.advance(24 * DAY);
      current = (await refresh(current)).body.refresh_token!;
    }
    fx.clock.set(start + 100 * DAY - 60_000);
    const last = await refresh(current);
    expect(last.body.expires_in).toBe(60);
    fx.clock.advance(60_000);
    expect(await introspect(fx, last.body.access_token!)).toEqual({ active: false });
  });

  it('a grant that ended is revoked with its tokens and recorded once as grant.expired (audit)', async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read', 'crm:write'] });
    const { refresh_token: first } = (await redeem(fx, issued)).body;
    fx.clock.advance(20 * DAY);
    const second = (await refresh(first!)).body.refresh_token!;
    fx.clock.advance(85 * DAY);
    expect((await refresh(second)).body.error).toBe('invalid_grant');
    expect((await refresh(second)).body.error).toBe('invalid_grant');
    expect(fx.events.filter((e) => e.type === 'grant.expired')).toEqual([expect.objectContaining({ grantId: issued.grantId, scopes: ['crm:read', 'crm:write'] })]);
    expect((await fx.store.grants.get(issued.grantId))!.revokedAt).not.toBeNull();
  });
});

describe('re-consent cadence at refresh', () => {
  beforeEach(async () => {
    fx = await createFixture({ criticalReconsentDays: 90, grantLifetimeDays: { critical: 365 } });
  });

  it('a critical grant past its re-consent cadence fails at refresh with invalid_grant, however often it was rotated', async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read', 'crm:export'] });
    let current = (await redeem(fx, issued)).body.refresh_token!;
    for (let i = 0; i < 4; i++) {
      fx.clock.advance(20 * DAY);
      const rotated = await refresh(current);
      expect(rotated.status).toBe(200);
      current = rotated.body.refresh_token!;
    }
    fx.clock.advance(10 * DAY); // day 90
    const refused = await refresh(current);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/approve the client again/) });
  });

  it('a routine grant is not held to the critical cadence', async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read'] });
    let current = (await redeem(fx, issued)).body.refresh_token!;
    for (let i = 0; i < 6; i++) {
      fx.clock.advance(20 * DAY);
      const rotated = await refresh(current);
      expect(rotated.status).toBe(200);
      current = rotated.body.refresh_token!;
    }
  });
});

describe("a scope's own lifetimes (config: max_grant_lifetime_days, reconsent_after_days)", () => {
  beforeEach(async () => {
    fx = await createFixture();
    const write = (await fx.store.scopes.get('crm:write'))!;
    await fx.store.scopes.upsert({ ...write, maxGrantLifetimeDays: 7 });
    const read = (await fx.store.scopes.get('crm:read'))!;
    await fx.store.scopes.upsert({ ...read, reconsentAfterDays: 30 });
  });

  it('a grant holding a scope with max_grant_lifetime_days cannot be refreshed past it, though its sensitivity allows 180 days', async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read', 'crm:write'] });
    let current = (await redeem(fx, issued)).body.refresh_token!;
    fx.clock.advance(6 * DAY);
    current = (await refresh(current)).body.refresh_token!;
    fx.clock.advance(DAY);
    expect((await refresh(current)).body.error).toBe('invalid_grant');
  });

  it('a routine scope with reconsent_after_days fails at refresh once its consent is that old', async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read'] });
    let current = (await redeem(fx, issued)).body.refresh_token!;
    fx.clock.advance(29 * DAY);
    current = (await refresh(current)).body.refresh_token!;
    fx.clock.advance(DAY);
    expect((await refresh(current)).body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/approve the client again/) });
  });
});

describe('scopes with their own end (time-boxed access)', () => {
  beforeEach(async () => {
    fx = await createFixture();
  });

  it('an expiring scope disappears from introspection when it ends, without any refresh', async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read', 'crm:write'] });
    const { access_token: access } = (await redeem(fx, issued)).body;
    const end = fx.clock.now() + 60_000;
    // What `gatehouse grants limit <grant> --scope crm:write --for …` writes.
    await fx.store.grants.setLifetime(issued.grantId, { expiresAt: null, scopeExpiresAt: { 'crm:write': end } }, fx.clock.now());
    fx.clock.advance(59_000);
    expect(await introspect(fx, access!)).toMatchObject({ active: true, scope: 'crm:read crm:write', scope_exp: end / 1000 });
    fx.clock.advance(1_000); // inside the 2 s introspection cache window: the cached answer must not be served
    const after = await introspect(fx, access!);
    expect(after).toMatchObject({ active: true, scope: 'crm:read' });
    expect(after).not.toHaveProperty('scope_exp');
  });

  it('a token whose every scope has ended is inactive', async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read'] });
    const { access_token: access } = (await redeem(fx, issued)).body;
    await fx.store.grants.setLifetime(issued.grantId, { expiresAt: null, scopeExpiresAt: { 'crm:read': fx.clock.now() + 1_000 } }, fx.clock.now());
    fx.clock.advance(1_000);
    expect(await introspect(fx, access!)).toEqual({ active: false });
  });

  it('an ended scope leaves the grant at the next refresh and is recorded once as grant.scopes_expired (audit)', async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read', 'crm:write'] });
    const { refresh_token: first } = (await redeem(fx, issued)).body;
    await fx.store.grants.setLifetime(issued.grantId, { expiresAt: null, scopeExpiresAt: { 'crm:write': fx.clock.now() + 60_000 } }, fx.clock.now());
    fx.clock.advance(61_000);
    const rotated = await refresh(first!);
    expect(rotated.body.scope).toBe('crm:read');
    const again = await refresh(rotated.body.refresh_token!);
    expect(again.body.scope).toBe('crm:read');
    expect(fx.events.filter((e) => e.type === 'grant.scopes_expired')).toEqual([expect.objectContaining({ grantId: issued.grantId, scopes: ['crm:write'] })]);
    expect((await fx.store.grants.get(issued.grantId))!.scopes).toEqual(['crm:read']);
  });
});
