import { afterEach, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { startHarness, type Harness } from './harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('RFC 7591 registration as a strict client performs it (oauth4webapi)', () => {
  it('discovers the registration endpoint, registers, and parses the 201 response', async () => {
    const h = (harness = await startHarness({ issuer: 'https://as.example/tenant-a' }));
    const viaApp = async (url: string, init: oauth.CustomFetchOptions<'GET' | 'POST', unknown>): Promise<Response> =>
      h.app.request(url, { method: init.method, headers: init.headers, body: init.body as BodyInit | undefined });
    const issuer = new URL('https://as.example/tenant-a');
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { [oauth.customFetch]: viaApp }));
    const response = await oauth.dynamicClientRegistrationRequest(
      as,
      { application_type: 'native', client_name: 'Strict client', redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'] },
      { [oauth.customFetch]: viaApp },
    );
    const client = await oauth.processDynamicClientRegistrationResponse(response);
    expect(client.client_id).toMatch(/^client_/);
    expect(client.token_endpoint_auth_method).toBe('none');
    expect(await h.store.clients.get(client.client_id)).toMatchObject({ kind: 'dynamic', redirectUris: ['http://127.0.0.1/cb'] });
  });
});
