/**
 * Issue 16, item 2: a confidential client's secret rotates with an overlap
 * and can expire. During the overlap both secrets authenticate; after it the
 * old one is invalid_client; a secret past its expiry is invalid_client,
 * even one that authenticated a moment before (the authentication cache
 * never outlives the secret). Secrets stay hashed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '@gatehouse-auth/core';
import { rotateClientSecret } from '../../src/admin/client-secret.ts';
import { basic, createFixture, post, SECRET, type Fixture } from '../token/fixture.ts';

const ADMIN_KEY = 'operator-key-for-tests-0123456789abcdef';
const OPERATOR = { kind: 'operator', id: 'test' } as const;
const HOUR = 3_600_000;
let fx: Fixture;

beforeEach(async () => {
  fx = await createFixture({ adminKeyHash: sha256(ADMIN_KEY) });
});
afterEach(() => fx.close());

/** Introspection as the resource server: 200 when its client authentication succeeds, 401 invalid_client when not. */
const authenticatesWith = async (secret: string): Promise<number> => (await post(fx, '/introspect', { token: 'x' }, basic('resource-server', secret))).status;

describe('Client secret rotation and expiry (issue 16)', () => {
  it('during the overlap both secrets work; after it the old secret is invalid_client and the new one still works', async () => {
    expect(await authenticatesWith(SECRET)).toBe(200);
    const rotated = (await rotateClientSecret(fx.ctx, 'resource-server', { overlapMs: 24 * HOUR, expiresInMs: null }, OPERATOR))!;
    expect(await authenticatesWith(SECRET)).toBe(200);
    expect(await authenticatesWith(rotated.secret)).toBe(200);
    fx.clock.advance(24 * HOUR);
    const refused = await post(fx, '/introspect', { token: 'x' }, basic('resource-server', SECRET));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
    expect(await authenticatesWith(rotated.secret)).toBe(200);
  });

  it('a secret past its expiry is invalid_client, even right after it authenticated', async () => {
    const rotated = (await rotateClientSecret(fx.ctx, 'resource-server', { overlapMs: 0, expiresInMs: 90 * 24 * HOUR }, OPERATOR))!;
    expect(await authenticatesWith(SECRET)).toBe(401);
    expect(await authenticatesWith(rotated.secret)).toBe(200);
    fx.clock.advance(90 * 24 * HOUR);
    expect(await authenticatesWith(rotated.secret)).toBe(401);
  });

  it('stores only hashes of the new and the previous secret', async () => {
    const rotated = (await rotateClientSecret(fx.ctx, 'resource-server', { overlapMs: HOUR, expiresInMs: null }, OPERATOR))!;
    const client = (await fx.store.clients.get('resource-server'))!;
    expect(client.secretHash).toBe(sha256(rotated.secret));
    expect(client.previousSecretHash).toBe(sha256(SECRET));
    expect(JSON.stringify(client)).not.toContain(rotated.secret);
  });

  it('the operator API rotates and returns the new secret once; a public client or a bad overlap is invalid_request', async () => {
    const call = (id: string, body: unknown) =>
      fx.app.request(`/admin/clients/${id}/rotate-secret`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const response = await call('resource-server', { overlap_seconds: 3600, expires_in_seconds: 7_776_000 });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { client_secret: string; client_secret_expires_at: number };
    expect(await authenticatesWith(body.client_secret)).toBe(200);
    expect(body.client_secret_expires_at).toBe(Math.floor((fx.clock.now() + 7_776_000_000) / 1000));
    expect((await call('public-app', { overlap_seconds: 0 })).status).toBe(400);
    expect((await call('resource-server', { overlap_seconds: 31 * 86_400 })).status).toBe(400);
    expect((await call('missing', { overlap_seconds: 0 })).status).toBe(404);
  });
});
