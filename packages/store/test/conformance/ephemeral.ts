import { describe, expect, it } from 'vitest';
import { newId } from '@gatehouse-auth/core';
import { DuplicateError, type Store } from '@gatehouse-auth/store';
import { T0 } from './fixtures.ts';
import { stores } from './grants-codes.ts';
import type { SuiteContext } from './index.ts';

export function ephemeralSuite(ctx: SuiteContext): void {
  describe('interactions', () => {
    it('stores a JSON payload until it expires', async () => {
      const id = newId('int');
      const payload = { clientId: 'cli_1', scopes: ['a', 'b'], nested: { n: 1, ok: true, none: null } };
      await ctx.store.interactions.put(id, payload, T0 + 1000);
      expect(await ctx.store.interactions.get(id, T0 + 999)).toEqual(payload);
      expect(await ctx.store.interactions.get(id, T0 + 1000)).toBeUndefined();
    });

    it('overwrites on a second put and forgets on delete', async () => {
      const id = newId('int');
      await ctx.store.interactions.put(id, { step: 'login' }, T0 + 1000);
      await ctx.store.interactions.put(id, { step: 'consent' }, T0 + 2000);
      expect(await ctx.store.interactions.get(id, T0 + 1500)).toEqual({ step: 'consent' });
      await ctx.store.interactions.delete(id);
      expect(await ctx.store.interactions.get(id, T0)).toBeUndefined();
    });
  });

  describe('rate limits (fixed window)', () => {
    it('counts hits within a window and starts again in the next', async () => {
      const key = newId('login');
      const windowMs = 60_000;
      const start = Math.floor(T0 / windowMs) * windowMs;
      expect(await ctx.store.rateLimits.hit(key, windowMs, start)).toBe(1);
      expect(await ctx.store.rateLimits.hit(key, windowMs, start + 30_000)).toBe(2);
      expect(await ctx.store.rateLimits.hit(key, windowMs, start + windowMs - 1)).toBe(3);
      expect(await ctx.store.rateLimits.hit(key, windowMs, start + windowMs)).toBe(1);
    });

    it('keeps keys apart and forgets a key on reset', async () => {
      const [a, b] = [newId('ip'), newId('ip')];
      await ctx.store.rateLimits.hit(a, 60_000, T0);
      await ctx.store.rateLimits.hit(a, 60_000, T0);
      expect(await ctx.store.rateLimits.hit(b, 60_000, T0)).toBe(1);
      await ctx.store.rateLimits.reset(a);
      expect(await ctx.store.rateLimits.hit(a, 60_000, T0)).toBe(1);
    });

    it('loses no count under 50 concurrent hits', async () => {
      const key = newId('burst');
      const pool = stores(ctx);
      const counts = await Promise.all(Array.from({ length: 50 }, (_, i) => pool[i % pool.length]!.rateLimits.hit(key, 60_000, T0)));
      expect(counts.sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });
  });

  describe('settings', () => {
    it('defaults the signup policy to closed, then stores the one set (domains lower-cased)', async () => {
      const store: Store = await ctx.fresh();
      expect(await store.settings.getSignupPolicy()).toEqual({ publicSignup: false, allowedEmailDomains: [] });
      await store.settings.setSignupPolicy({ publicSignup: true, allowedEmailDomains: ['Example.com'] });
      expect(await store.settings.getSignupPolicy()).toEqual({ publicSignup: true, allowedEmailDomains: ['example.com'] });
      await store.settings.setSignupPolicy({ publicSignup: false, allowedEmailDomains: [] });
      expect(await store.settings.getSignupPolicy()).toEqual({ publicSignup: false, allowedEmailDomains: [] });
    });
  });

  describe('login sessions', () => {
    it('creates, reads and revokes a session; revokeForUser counts what it revoked', async () => {
      const userId = newId('usr');
      const sessions = [0, 1, 2].map(() => ({ id: newId('ses'), userId, createdAt: T0, expiresAt: T0 + 3_600_000, revokedAt: null }));
      for (const s of sessions) await ctx.store.sessions.create(s);
      await expect(ctx.store.sessions.create(sessions[0]!)).rejects.toBeInstanceOf(DuplicateError);
      expect(await ctx.store.sessions.get(sessions[0]!.id)).toEqual(sessions[0]);
      await ctx.store.sessions.revoke(sessions[0]!.id, T0 + 1);
      expect((await ctx.store.sessions.get(sessions[0]!.id))?.revokedAt).toBe(T0 + 1);
      expect(await ctx.store.sessions.revokeForUser(userId, T0 + 2)).toBe(2);
      expect((await ctx.store.sessions.get(sessions[0]!.id))?.revokedAt).toBe(T0 + 1);
      expect(await ctx.store.sessions.get('ses_missing')).toBeUndefined();
    });
  });

  describe('signing keys', () => {
    it('inserts, lists and retires keys', async () => {
      const store = await ctx.fresh();
      const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
      const first = { kid: 'k1', alg: 'ES256' as const, publicJwk: jwk, privateJwk: { ...jwk, d: 'd' }, status: 'active' as const, createdAt: T0 };
      const second = { ...first, kid: 'k2', createdAt: T0 + 1 };
      await store.keys.insert(first);
      await store.keys.insert(second);
      await expect(store.keys.insert(first)).rejects.toBeInstanceOf(DuplicateError);
      await store.keys.retire('k1');
      expect(await store.keys.list()).toEqual([{ ...first, status: 'retired' }, second]);
    });
  });
}
