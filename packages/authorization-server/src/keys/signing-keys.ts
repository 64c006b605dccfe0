/**
 * ES256 signing keys for JWT access tokens (RFC 9068). A key is generated on
 * first use when the store has none; rotation adds a new active key and
 * retires the old one, which stays published in /jwks.json until every
 * token it signed has expired. The active private key is imported once and
 * cached per server context (no key loading on the token hot path); the
 * cache is refreshed every minute so a rotation done by another process is
 * picked up.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { SigningKey } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';

const ALG = 'ES256' as const;
const REFRESH_MS = 60_000;

export interface ActiveKey {
  kid: string;
  alg: typeof ALG;
  key: CryptoKey;
}

interface Slot {
  active: Promise<ActiveKey> | undefined;
  loadedAt: number;
}

const slots = new WeakMap<ServerContext, Slot>();

function slotFor(ctx: ServerContext): Slot {
  let slot = slots.get(ctx);
  if (!slot) {
    slot = { active: undefined, loadedAt: 0 };
    slots.set(ctx, slot);
  }
  return slot;
}

async function generateSigningKey(now: number): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg: ALG,
    publicJwk: { ...publicJwk, kid, alg: ALG, use: 'sig' },
    privateJwk: { ...privateJwk, kid, alg: ALG },
    status: 'active',
    createdAt: now,
  };
}

const newestActive = (keys: SigningKey[]): SigningKey | undefined => keys.filter((key) => key.status === 'active').sort((a, b) => b.createdAt - a.createdAt)[0];

/** Returns the active key, creating one when the store has none (first start). */
export async function ensureSigningKey(ctx: ServerContext): Promise<SigningKey> {
  const existing = newestActive(await ctx.store.keys.list());
  if (existing) return existing;
  const created = await generateSigningKey(ctx.clock.now());
  await ctx.store.keys.insert(created);
  // Two processes starting together may both create one; the newest wins.
  return newestActive(await ctx.store.keys.list()) ?? created;
}

async function loadActive(ctx: ServerContext): Promise<ActiveKey> {
  const stored = await ensureSigningKey(ctx);
  const key = (await importJWK(stored.privateJwk as JWK, ALG)) as CryptoKey;
  return { kid: stored.kid, alg: ALG, key };
}

/** The key that signs new tokens, cached. */
export async function activeSigningKey(ctx: ServerContext): Promise<ActiveKey> {
  const slot = slotFor(ctx);
  if (!slot.active || Date.now() - slot.loadedAt > REFRESH_MS) {
    const loading = loadActive(ctx);
    slot.active = loading;
    slot.loadedAt = Date.now();
    loading.catch(() => {
      if (slot.active === loading) slot.active = undefined;
    });
  }
  return slot.active;
}

/** Makes a new key active and retires the previous ones (still published until their tokens expire). */
export async function rotateSigningKey(ctx: ServerContext): Promise<SigningKey> {
  const before = (await ctx.store.keys.list()).filter((key) => key.status === 'active');
  const created = await generateSigningKey(ctx.clock.now());
  await ctx.store.keys.insert(created);
  for (const old of before) await ctx.store.keys.retire(old.kid);
  slotFor(ctx).active = undefined;
  return created;
}

/**
 * Public JWKs to publish: every active key, and each retired key while a
 * token it signed may still be valid. A key stopped signing when its
 * successor was created (up to a minute later on a server whose cached
 * key was retired by another process), so it is needed until then + the
 * longest access token lifetime + that minute.
 */
export async function publishedJwks(ctx: ServerContext): Promise<JWK[]> {
  // Oldest first; on equal times a retired key sorts before the active one that replaced it.
  const keys = (await ctx.store.keys.list()).sort((a, b) => a.createdAt - b.createdAt || Number(a.status === 'active') - Number(b.status === 'active'));
  // Plus REFRESH_MS: a server that has not reloaded yet keeps signing with a key another process retired.
  const longestTtlMs = Math.max(...Object.values(ctx.options.accessTokenTtl)) * 1000 + REFRESH_MS;
  const now = ctx.clock.now();
  return keys
    .filter((key, index) => {
      if (key.status === 'active') return true;
      const successor = keys[index + 1];
      return successor === undefined || now < successor.createdAt + longestTtlMs;
    })
    .map((key) => publicOnly(key.publicJwk as JWK));
}

/** Strips anything private, whatever the stored JWK holds (RFC 7517 §4). */
function publicOnly(jwk: JWK): JWK {
  const { kty, crv, x, y, n, e, kid, alg, use } = jwk;
  return Object.fromEntries(Object.entries({ kty, crv, x, y, n, e, kid, alg, use }).filter(([, value]) => value !== undefined)) as JWK;
}
