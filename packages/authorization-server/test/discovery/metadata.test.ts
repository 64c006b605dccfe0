import { afterEach, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { startHarness, type Harness } from '../registration/harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function get(h: Harness, path: string): Promise<Response> {
  return h.app.request(`https://as.example${path}`);
}

/** oauth4webapi's fetch, served by the in-process app (the origin is the issuer's). */
const viaApp =
  (h: Harness) =>
  async (url: string, init: oauth.CustomFetchOptions<'GET'>): Promise<Response> =>
    h.app.request(url, { method: init.method, headers: init.headers });

describe('RFC 8414 §3 authorization server metadata (issuer without a path)', () => {
  it('serves metadata whose issuer is exactly the configured issuer', async () => {
    harness = await startHarness();
    const response = await get(harness, '/.well-known/oauth-authorization-server');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.issuer).toBe('https://as.example');
  });

  it('lists the endpoints, capabilities and MCP fields a client needs (RFC 8414 §2, RFC 9207, CIMD)', async () => {
    harness = await startHarness();
    await harness.store.scopes.upsert({ name: 'tickets:read', kind: 'user', allowedRoles: [], sensitivity: 'routine', optional: false, description: 'Read tickets' });
    const body = (await (await get(harness, '/.well-known/oauth-authorization-server')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      authorization_endpoint: 'https://as.example/authorize',
      token_endpoint: 'https://as.example/token',
      registration_endpoint: 'https://as.example/register',
      introspection_endpoint: 'https://as.example/introspect',
      revocation_endpoint: 'https://as.example/revoke',
      jwks_uri: 'https://as.example/jwks.json',
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post'],
      code_challenge_methods_supported: ['S256'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
    expect(body.scopes_supported).toEqual(['tickets:read', 'offline_access']);
    expect(body.introspection_endpoint_auth_methods_supported).not.toContain('none');
    // RFC 7636 §4.2 plain is never offered (MCP requires S256).
    expect(body.code_challenge_methods_supported).not.toContain('plain');
  });

  it('omits registration_endpoint when dynamic registration is disabled', async () => {
    harness = await startHarness({ dynamicRegistration: { enabled: false } });
    const body = (await (await get(harness, '/.well-known/oauth-authorization-server')).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('registration_endpoint');
  });

  it('is accepted by a strict client (oauth4webapi discovery, oauth2 and oidc algorithms)', async () => {
    harness = await startHarness();
    const issuer = new URL('https://as.example');
    for (const algorithm of ['oauth2', 'oidc'] as const) {
      const response = await oauth.discoveryRequest(issuer, { algorithm, [oauth.customFetch]: viaApp(harness) });
      const as = await oauth.processDiscoveryResponse(issuer, response);
      expect(as.issuer).toBe('https://as.example');
      expect(as.code_challenge_methods_supported).toEqual(['S256']);
    }
  });

  it('serves an OpenID configuration that carries the fields OIDC Discovery §3 requires', async () => {
    harness = await startHarness();
    const body = (await (await get(harness, '/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ issuer: 'https://as.example', jwks_uri: 'https://as.example/jwks.json', subject_types_supported: ['public'], code_challenge_methods_supported: ['S256'] });
    expect(body.id_token_signing_alg_values_supported).toContain('RS256');
  });
});

describe('RFC 8414 §3.1 issuer with a path: path-inserted well-known URIs', () => {
  it('serves every URI in the MCP probe order with the issuer exactly as configured', async () => {
    harness = await startHarness({ issuer: 'https://as.example/tenant-a' });
    for (const path of ['/.well-known/oauth-authorization-server/tenant-a', '/.well-known/openid-configuration/tenant-a', '/tenant-a/.well-known/openid-configuration']) {
      const response = await get(harness, path);
      expect(response.status, path).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body.issuer, path).toBe('https://as.example/tenant-a');
      expect(body.token_endpoint, path).toBe('https://as.example/tenant-a/token');
      expect(body.registration_endpoint, path).toBe('https://as.example/tenant-a/register');
    }
  });

  it('does not serve another tenant path', async () => {
    harness = await startHarness({ issuer: 'https://as.example/tenant-a' });
    expect((await get(harness, '/.well-known/oauth-authorization-server/tenant-b')).status).toBe(404);
  });

  it('drops a trailing slash of the configured issuer in both the issuer and the paths', async () => {
    harness = await startHarness({ issuer: 'https://as.example/tenant-a/' });
    const body = (await (await get(harness, '/.well-known/oauth-authorization-server/tenant-a')).json()) as Record<string, unknown>;
    expect(body.issuer).toBe('https://as.example/tenant-a');
  });

  it('is accepted by a strict client for both algorithms (oauth4webapi)', async () => {
    harness = await startHarness({ issuer: 'https://as.example/tenant-a' });
    const issuer = new URL('https://as.example/tenant-a');
    for (const algorithm of ['oauth2', 'oidc'] as const) {
      const response = await oauth.discoveryRequest(issuer, { algorithm, [oauth.customFetch]: viaApp(harness) });
      const as = await oauth.processDiscoveryResponse(issuer, response);
      expect(as.issuer).toBe('https://as.example/tenant-a');
    }
  });

  it('is rejected by a strict client that expected another issuer (the check MCP clients MUST make)', async () => {
    harness = await startHarness({ issuer: 'https://as.example/tenant-a' });
    const response = await harness.app.request('https://as.example/.well-known/oauth-authorization-server');
    await expect(oauth.processDiscoveryResponse(new URL('https://as.example'), response)).rejects.toThrow();
  });
});
