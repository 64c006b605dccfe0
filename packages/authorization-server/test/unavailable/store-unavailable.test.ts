/**
 * Issue 10: when the database is unreachable (the store raises
 * StoreUnavailableError), every endpoint answers 503 in its protocol's
 * format with Retry-After, never 500 and never a stack trace; the next
 * request, once the database is back, succeeds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256, StoreUnavailableError } from '@gatehouse-auth/core';
import { basic, createFixture, introspect, post, RESOURCE, token, type Fixture } from '../token/fixture.ts';

const ADMIN_KEY = 'admin-key-for-unavailable-tests-0123456789';
const dropped = () => new StoreUnavailableError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }));

let fx: Fixture;
beforeEach(async () => {
  fx = await createFixture({ adminKeyHash: sha256(ADMIN_KEY) });
});
afterEach(() => fx.close());

/** Makes the store method fail once, as a connection dropped mid-request does. */
function failOnce<T extends object>(target: T, method: keyof T): void {
  const original = target[method] as (...args: unknown[]) => unknown;
  target[method] = (async () => {
    target[method] = original as T[keyof T];
    throw dropped();
  }) as T[keyof T];
}

async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const text = await response.text();
  expect(JSON.parse(text)).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
  expect(text).not.toMatch(/57P01|administrator|StoreUnavailable|\bat\s/);
}

describe('issue 10: the database is unreachable', () => {
  it('RFC 6749 §5.2: POST /token answers 503 temporarily_unavailable with Retry-After, then issues once the store answers', async () => {
    failOnce(fx.store.tokens, 'insertCommitted');
    const form = { grant_type: 'client_credentials', resource: RESOURCE, scope: 'crm:read' };
    await expectUnavailable(await post(fx, '/token', form, basic('agent')));
    expect((await token(fx, form, basic('agent'))).status).toBe(200);
  });

  it('RFC 7662: POST /introspect answers 503, not inactive (a resource server must not cache a wrong answer)', async () => {
    const { body } = await token(fx, { grant_type: 'client_credentials', resource: RESOURCE, scope: 'crm:read' }, basic('agent'));
    // Introspection reads the token with its grant, user, membership and client in one query.
    failOnce(fx.store.tokens, 'getWithHolder');
    await expectUnavailable(await post(fx, '/introspect', { token: body.access_token! }, basic('resource-server')));
    expect(await introspect(fx, body.access_token!)).toMatchObject({ active: true });
  });

  it('RFC 7009: POST /revoke answers 503 (the client retries; a 200 would claim a revocation that did not happen)', async () => {
    const { body } = await token(fx, { grant_type: 'client_credentials', resource: RESOURCE, scope: 'crm:read' }, basic('agent'));
    failOnce(fx.store.tokens, 'get');
    await expectUnavailable(await post(fx, '/revoke', { token: body.access_token! }, basic('agent')));
  });

  it('an admin route without its own error handling answers 503 through the app-wide handler', async () => {
    failOnce(fx.store.grants, 'get');
    await expectUnavailable(await fx.app.request('/admin/grants/grt_x/revoke', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } }));
  });
});
