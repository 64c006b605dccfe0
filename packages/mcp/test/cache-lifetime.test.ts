import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@gatehouse-auth/core';
import { IntrospectionVerifier, TokenCache, type Principal } from '../src/index.ts';
import { RESOURCE } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';

let as: FakeAuthorizationServer;
let clock: ManualClock;
let verifier: IntrospectionVerifier | undefined;
beforeEach(async () => {
  as = await startFakeAuthorizationServer();
  clock = new ManualClock();
  as.tokens.set('t', activeToken(as.issuer, { exp: Math.floor(clock.now() / 1000) + 3600 }));
});
afterEach(async () => {
  await verifier?.close();
  await as.stop();
});

const make = (options: Partial<ConstructorParameters<typeof IntrospectionVerifier>[0]>) =>
  (verifier = new IntrospectionVerifier({ issuer: as.issuer, resource: RESOURCE, ...INTROSPECTION_CLIENT, clock, ...options }));

describe('Introspection cache lifetime', () => {
  it('without a revocation stream, trusts a cached answer for 5 s by default, then asks again', async () => {
    const v = make({ revocationStream: false });
    await v.verify('t');
    clock.advance(4_900);
    await v.verify('t');
    expect(as.introspectionCalls).toBe(1);
    clock.advance(200);
    await v.verify('t');
    expect(as.introspectionCalls).toBe(2);
  });

  it('while the revocation stream is down, serves from cache for at most 1 s', async () => {
    const v = make({ revocationStream: 'http://127.0.0.1:9/revocations/stream', initialBackoffMs: 60_000 });
    expect(v.streamConnected).toBe(false);
    await v.verify('t');
    clock.advance(900);
    await v.verify('t');
    expect(as.introspectionCalls).toBe(1);
    clock.advance(200);
    await v.verify('t');
    expect(as.introspectionCalls).toBe(2);
  });

  it('never serves a cached token past its own expiry', async () => {
    as.tokens.set('short', activeToken(as.issuer, { exp: Math.floor(clock.now() / 1000) + 2 }));
    const v = make({ revocationStream: false, cacheTtlMs: 60_000 });
    expect((await v.verify('short')).ok).toBe(true);
    clock.advance(2_001);
    expect(await v.verify('short')).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('Introspection cache is bounded by time, not only by maxCacheEntries', () => {
  it('forgets the tokens of a past TTL once a new token is cached, though nobody presents them again (the soak kept every one)', async () => {
    const v = make({ revocationStream: false, cacheTtlMs: 5_000 });
    for (let i = 0; i < 5; i++) {
      as.tokens.set(`old-${i}`, activeToken(as.issuer, { exp: Math.floor(clock.now() / 1000) + 3600 }));
      expect((await v.verify(`old-${i}`)).ok).toBe(true);
    }
    as.tokens.set('refused', { active: false });
    expect((await v.verify('refused')).ok).toBe(false);
    expect(v.cache.size).toBe(6);
    clock.advance(5_000);
    expect((await v.verify('t')).ok).toBe(true);
    expect(v.cache.size).toBe(1);
  });

  it('keeps the tokens cached within the TTL and still serves them from memory', async () => {
    const v = make({ revocationStream: false, cacheTtlMs: 5_000 });
    as.tokens.set('first', activeToken(as.issuer, { exp: Math.floor(clock.now() / 1000) + 3600 }));
    await v.verify('first');
    clock.advance(3_000);
    await v.verify('t');
    expect(v.cache.size).toBe(2);
    await v.verify('first');
    expect(as.introspectionCalls).toBe(2);
  });
});

describe('TokenCache.apply (revocation events)', () => {
  const principal = (subject: string, clientId: string, orgId: string, roles: string[]): Principal => ({
    subject,
    kind: 'user',
    orgId,
    roles,
    permissions: [],
    scopes: [],
    clientId,
    expiresAt: Infinity,
  });
  const filled = () => {
    const cache = new TokenCache();
    cache.set('h1', principal('u1', 'c1', 'o1', ['Support']), Infinity);
    cache.set('h2', principal('u1', 'c2', 'o2', ['HR']), Infinity);
    cache.set('h3', principal('u2', 'c1', 'o1', ['Engineering']), Infinity);
    cache.set('h4', principal('u3', 'c3', 'o3', ['Support']), Infinity);
    return cache;
  };
  const left = (cache: TokenCache) => ['h1', 'h2', 'h3', 'h4'].filter((h) => cache.get(h, 0));

  it('drops listed token hashes only', () => {
    const cache = filled();
    cache.apply({ type: 'token.revoked', tokenHashes: ['h3'], at: 0 });
    expect(left(cache)).toEqual(['h1', 'h2', 'h4']);
  });
  it('drops every entry of a user, in every org, on a membership change', () => {
    const cache = filled();
    cache.apply({ type: 'membership.changed', userId: 'u1', orgId: 'o1', at: 0 });
    expect(left(cache)).toEqual(['h3', 'h4']);
  });
  it('drops every entry of a disabled client', () => {
    const cache = filled();
    cache.apply({ type: 'client.disabled', clientId: 'c1', at: 0 });
    expect(left(cache)).toEqual(['h2', 'h4']);
  });
  it('drops every holder of a changed role', () => {
    const cache = filled();
    cache.apply({ type: 'role.updated', role: 'Support', at: 0 });
    expect(left(cache)).toEqual(['h2', 'h3']);
  });
  it('evicts the oldest entry beyond its bound', () => {
    const cache = new TokenCache(2);
    cache.set('a', null, Infinity);
    cache.set('b', null, Infinity);
    cache.set('c', null, Infinity);
    expect([cache.get('a', 0), cache.get('b', 0) !== undefined, cache.get('c', 0) !== undefined]).toEqual([undefined, true, true]);
  });
});
