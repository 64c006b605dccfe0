/**
 * RFC 6749 §4.1.2.1 / RFC 9700 §4.1.3: until the client and its
 * redirect_uri are verified, errors are shown on a local page and nothing
 * is redirected (open redirector).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { addClient, authorizeUrl, createHarness, TestBrowser, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await addClient(h.store, { id: 'exact-client', name: 'Exact', redirectUris: ['https://a.example/cb'] });
  await addClient(h.store, { id: 'native-client', name: 'Native', redirectUris: ['http://127.0.0.1/cb'], applicationType: 'native' });
  await addClient(h.store, { id: 'disabled-client', name: 'Gone', redirectUris: ['https://a.example/cb'], status: 'disabled' });
});

async function expectLocalErrorPage(params: Record<string, string | null>): Promise<string> {
  const response = await new TestBrowser(h).get(authorizeUrl(params));
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  return response.text();
}

describe('RFC 6749 §4.1.2.1: errors before the redirect_uri is verified are never redirected', () => {
  it('shows an error page for an unknown client_id', async () => {
    const body = await expectLocalErrorPage({ client_id: 'no-such-client', redirect_uri: 'https://evil.example/cb' });
    expect(body).toContain('invalid_client');
    expect(body).not.toContain('evil.example');
  });

  it('shows an error page for a missing client_id', async () => {
    await expectLocalErrorPage({ client_id: null });
  });

  it('shows an error page for a disabled client', async () => {
    await expectLocalErrorPage({ client_id: 'disabled-client', redirect_uri: 'https://a.example/cb' });
  });

  it('shows an error page for a repeated client_id', async () => {
    const response = await new TestBrowser(h).get(`${authorizeUrl({ client_id: 'exact-client', redirect_uri: 'https://a.example/cb' })}&client_id=web-client`);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('requires redirect_uri when the client registered several', async () => {
    await expectLocalErrorPage({ redirect_uri: null });
  });

  it('shows an error page even when every other parameter is also wrong (no redirect with the attacker URI)', async () => {
    await expectLocalErrorPage({ client_id: 'exact-client', redirect_uri: 'https://evil.example/cb', response_type: 'token', code_challenge: null, scope: '"bad"' });
  });
});

describe('RFC 9700 §4.1.3 exact redirect_uri matching (registered https://a.example/cb)', () => {
  const variants = [
    'https://a.example/cb/',
    'https://a.example/CB',
    'https://a.example/cb?x=1',
    'https://a.example/cb#f',
    'https://a.example/cb/../cb',
    'https://a.example%2Fcb',
    'https://a.example/cb%2F',
    'https://a.example.evil.com/cb',
    'https://a.example:443/cb',
    'http://a.example/cb',
    'https://A.EXAMPLE/cb',
  ];
  for (const variant of variants) {
    it(`rejects ${variant} with an error page and no redirect`, async () => {
      await expectLocalErrorPage({ client_id: 'exact-client', redirect_uri: variant });
    });
  }

  it('accepts the registered URI exactly', async () => {
    const response = await new TestBrowser(h).get(authorizeUrl({ client_id: 'exact-client', redirect_uri: 'https://a.example/cb' }));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/\/login\?interaction=ia_/);
  });

  it('uses the only registered URI when redirect_uri is omitted (OAuth 2.1 §4.1.1)', async () => {
    const response = await new TestBrowser(h).get(authorizeUrl({ client_id: 'exact-client', redirect_uri: null, response_type: 'token' }));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^https:\/\/a\.example\/cb\?error=unsupported_response_type/);
  });
});

describe('RFC 8252 §7.3 loopback redirect URIs (registered http://127.0.0.1/cb)', () => {
  it('accepts any port on the same loopback literal and path', async () => {
    const response = await new TestBrowser(h).get(authorizeUrl({ client_id: 'native-client', redirect_uri: 'http://127.0.0.1:53123/cb', response_type: 'token' }));
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:53123\/cb\?error=unsupported_response_type/);
  });

  for (const variant of ['http://localhost:53123/cb', 'http://[::1]:53123/cb', 'http://127.0.0.1:53123/cb2', 'https://127.0.0.1:53123/cb']) {
    it(`does not cross-match ${variant}`, async () => {
      await expectLocalErrorPage({ client_id: 'native-client', redirect_uri: variant });
    });
  }
});
