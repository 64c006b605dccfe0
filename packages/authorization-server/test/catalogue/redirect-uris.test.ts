/**
 * Security catalogue, "Redirect URIs": the loopback and open-redirector
 * lines that redirect-uri/match.test.ts checks on the matcher alone,
 * driven through GET /authorize so the assertion is what the browser gets:
 * a local error page and no Location (RFC 6749 §4.1.2.1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { addClient, authorizeUrl, createHarness, REDIRECT, TestBrowser, type Harness } from '../authorize/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await addClient(h.store, { id: 'https-loopback', name: 'TLS loopback', redirectUris: ['https://127.0.0.1/cb'], applicationType: 'native' });
  await addClient(h.store, { id: 'localhost-app', name: 'Localhost app', redirectUris: ['http://localhost/cb'], applicationType: 'native' });
  await addClient(h.store, { id: 'ipv6-app', name: 'IPv6 app', redirectUris: ['http://[::1]/cb'], applicationType: 'native' });
  await addClient(h.store, { id: 'other-client', name: 'Other', redirectUris: ['https://other.example/cb'] });
});

async function expectNoRedirect(params: Record<string, string | null>): Promise<void> {
  const response = await new TestBrowser(h).get(authorizeUrl(params));
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
}

async function expectRedirectTo(params: Record<string, string | null>, prefix: string): Promise<void> {
  // response_type=token is refused after the redirect_uri is verified, so the refusal is redirected: proof the URI matched.
  const response = await new TestBrowser(h).get(authorizeUrl({ ...params, response_type: 'token' }));
  expect(response.status).toBe(302);
  expect(response.headers.get('location')?.startsWith(`${prefix}?error=unsupported_response_type`)).toBe(true);
}

describe('RFC 8252 §7.3 loopback redirect URIs at /authorize', () => {
  it('gives https://127.0.0.1 no port exception', async () => {
    await expectNoRedirect({ client_id: 'https-loopback', redirect_uri: 'https://127.0.0.1:53123/cb' });
    await expectRedirectTo({ client_id: 'https-loopback', redirect_uri: 'https://127.0.0.1/cb' }, 'https://127.0.0.1/cb');
  });

  it('never lets a registered localhost URI stand for 127.0.0.1 or [::1]', async () => {
    await expectRedirectTo({ client_id: 'localhost-app', redirect_uri: 'http://localhost:40000/cb' }, 'http://localhost:40000/cb');
    await expectNoRedirect({ client_id: 'localhost-app', redirect_uri: 'http://127.0.0.1:40000/cb' });
    await expectNoRedirect({ client_id: 'localhost-app', redirect_uri: 'http://[::1]:40000/cb' });
  });

  it('never lets a registered [::1] URI stand for 127.0.0.1 or localhost', async () => {
    await expectRedirectTo({ client_id: 'ipv6-app', redirect_uri: 'http://[::1]:40000/cb' }, 'http://[::1]:40000/cb');
    await expectNoRedirect({ client_id: 'ipv6-app', redirect_uri: 'http://127.0.0.1:40000/cb' });
    await expectNoRedirect({ client_id: 'ipv6-app', redirect_uri: 'http://localhost:40000/cb' });
  });

  it('still matches the loopback path exactly', async () => {
    await expectNoRedirect({ client_id: 'localhost-app', redirect_uri: 'http://localhost:40000/cb/' });
    await expectNoRedirect({ client_id: 'localhost-app', redirect_uri: 'http://localhost:40000/CB' });
  });
});

describe('RFC 9700 §4.11 open redirector: a bad client_id / redirect_uri pair', () => {
  it('shows an error page when the redirect_uri is registered, but to another client', async () => {
    await expectNoRedirect({ client_id: 'other-client', redirect_uri: REDIRECT });
    await expectNoRedirect({ client_id: 'web-client', redirect_uri: 'https://other.example/cb' });
  });
});
