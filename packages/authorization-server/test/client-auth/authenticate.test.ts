import { afterEach, describe, expect, it } from 'vitest';
import { OAuthError } from '@gatehouse-auth/core';
import { authenticateClient } from '../../src/clients/index.ts';
import { startHarness, testClient, type Harness } from '../registration/harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const SECRET = 'dGhpcyBpcyBhIHZlcnkgbG9uZyByYW5kb20gc2VjcmV0';
const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function seeded(): Promise<Harness> {
  const h = await startHarness();
  await h.store.clients.create(testClient(h.clock, { id: 'basic-client' }, SECRET));
  await h.store.clients.create(testClient(h.clock, { id: 'post-client', tokenEndpointAuthMethod: 'client_secret_post' }, SECRET));
  await h.store.clients.create(testClient(h.clock, { id: 'public-client' }));
  await h.store.clients.create(testClient(h.clock, { id: 'odd id:+&/é', tokenEndpointAuthMethod: 'client_secret_basic' }, 'sec:ret +&/é'));
  return h;
}

async function attempt(h: Harness, input: { authorization?: string; form?: Record<string, string> | string }): Promise<OAuthError | string> {
  const headers = new Headers(input.authorization === undefined ? {} : { authorization: input.authorization });
  const form = new URLSearchParams(input.form ?? {});
  try {
    return (await authenticateClient(h.ctx, { headers, form })).id;
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
}

function expectInvalidClient(result: OAuthError | string, basicChallenge: boolean): void {
  expect(result).toBeInstanceOf(OAuthError);
  const error = result as OAuthError;
  expect(error.code).toBe('invalid_client');
  expect(error.status).toBe(401);
  expect(error.allowRedirect).toBe(false);
  if (basicChallenge) expect(error.headers['www-authenticate']).toMatch(/^Basic realm="https:\/\/as\.example"/);
  else expect(error.headers['www-authenticate']).toBeUndefined();
}

describe('RFC 6749 §2.3.1 client_secret_basic', () => {
  it('authenticates the right id and secret', async () => {
    harness = await seeded();
    expect(await attempt(harness, { authorization: basic('basic-client', SECRET) })).toBe('basic-client');
  });

  it('form-urlencodes the id and secret inside Basic (reserved and non-ASCII characters)', async () => {
    harness = await seeded();
    expect(await attempt(harness, { authorization: basic('odd id:+&/é', 'sec:ret +&/é') })).toBe('odd id:+&/é');
  });

  it('accepts a body client_id equal to the Basic one', async () => {
    harness = await seeded();
    expect(await attempt(harness, { authorization: basic('basic-client', SECRET), form: { client_id: 'basic-client' } })).toBe('basic-client');
  });

  it('rejects a wrong secret with 401 invalid_client and a Basic challenge (RFC 6749 §5.2)', async () => {
    harness = await seeded();
    expectInvalidClient(await attempt(harness, { authorization: basic('basic-client', `${SECRET}x`) }), true);
    expectInvalidClient(await attempt(harness, { authorization: basic('basic-client', SECRET.slice(0, -1)) }), true);
  });

  it('rejects an unknown client the same way as a wrong secret', async () => {
    harness = await seeded();
    const unknown = await attempt(harness, { authorization: basic('nobody', SECRET) });
    const wrong = await attempt(harness, { authorization: basic('basic-client', 'nope') });
    expectInvalidClient(unknown, true);
    expect((unknown as OAuthError).toJSON()).toEqual((wrong as OAuthError).toJSON());
  });

  it.each([
    ['no colon', `Basic ${Buffer.from('basic-client').toString('base64')}`],
    ['an empty secret', `Basic ${Buffer.from('basic-client:').toString('base64')}`],
    ['an empty id', `Basic ${Buffer.from(`:${SECRET}`).toString('base64')}`],
    ['not base64', 'Basic !!!'],
    ['a bad percent-encoding', `Basic ${Buffer.from(`basic-client:%E0%A4%A`).toString('base64')}`],
  ])('rejects malformed Basic credentials: %s', async (_name, authorization) => {
    harness = await seeded();
    expectInvalidClient(await attempt(harness, { authorization }), true);
  });

  it('rejects a client that registered client_secret_post but uses Basic', async () => {
    harness = await seeded();
    expectInvalidClient(await attempt(harness, { authorization: basic('post-client', SECRET) }), true);
  });
});

describe('RFC 6749 §2.3.1 client_secret_post', () => {
  it('authenticates the right id and secret in the body', async () => {
    harness = await seeded();
    expect(await attempt(harness, { form: { client_id: 'post-client', client_secret: SECRET } })).toBe('post-client');
  });

  it('rejects a wrong secret with 401 and no Basic challenge', async () => {
    harness = await seeded();
    expectInvalidClient(await attempt(harness, { form: { client_id: 'post-client', client_secret: 'wrong' } }), false);
  });

  it('rejects a client that registered client_secret_basic but posts its secret', async () => {
    harness = await seeded();
    expectInvalidClient(await attempt(harness, { form: { client_id: 'basic-client', client_secret: SECRET } }), false);
  });

  it('rejects repeated credential parameters', async () => {
    harness = await seeded();
    const result = await attempt(harness, { form: 'client_id=post-client&client_secret=wrong&client_secret=' + SECRET });
    expect((result as OAuthError).code).toBe('invalid_request');
  });
});

describe('RFC 6749 §2.3 one method at a time', () => {
  it('answers invalid_request to Basic plus client_secret in the body', async () => {
    harness = await seeded();
    const result = await attempt(harness, { authorization: basic('basic-client', SECRET), form: { client_secret: SECRET } });
    expect(result).toBeInstanceOf(OAuthError);
    expect((result as OAuthError).code).toBe('invalid_request');
    expect((result as OAuthError).status).toBe(400);
  });

  it('answers invalid_request when the body client_id differs from the Basic one', async () => {
    harness = await seeded();
    const result = await attempt(harness, { authorization: basic('basic-client', SECRET), form: { client_id: 'public-client' } });
    expect((result as OAuthError).code).toBe('invalid_request');
  });
});

describe('OAuth 2.1 §2.4 public clients (none)', () => {
  it('identifies a public client by client_id alone', async () => {
    harness = await seeded();
    expect(await attempt(harness, { form: { client_id: 'public-client' } })).toBe('public-client');
  });

  it('rejects a confidential client that leaves its secret out', async () => {
    harness = await seeded();
    expectInvalidClient(await attempt(harness, { form: { client_id: 'basic-client' } }), false);
  });

  it('rejects a public client that presents a secret it was never given', async () => {
    harness = await seeded();
    expectInvalidClient(await attempt(harness, { form: { client_id: 'public-client', client_secret: 'anything' } }), false);
  });

  it('rejects a request with no client identification at all', async () => {
    harness = await seeded();
    expectInvalidClient(await attempt(harness, {}), false);
  });

  it('rejects a disabled client even with the right secret', async () => {
    harness = await seeded();
    await harness.store.clients.setStatus('basic-client', 'disabled', harness.clock.now());
    expectInvalidClient(await attempt(harness, { authorization: basic('basic-client', SECRET) }), true);
  });

  it('ignores a non-Basic Authorization header and falls back to the body', async () => {
    harness = await seeded();
    expect(await attempt(harness, { authorization: 'Bearer abc', form: { client_id: 'public-client' } })).toBe('public-client');
  });
});

describe('Client authentication on the wire (POST /token)', () => {
  it('answers a wrong Basic secret with 401, invalid_client, WWW-Authenticate and no secret in the body', async () => {
    harness = await seeded();
    const response = await harness.app.request('https://as.example/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('basic-client', 'guess') },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const text = await response.text();
    expect(JSON.parse(text).error).toBe('invalid_client');
    expect(text).not.toContain('guess');
  });
});
