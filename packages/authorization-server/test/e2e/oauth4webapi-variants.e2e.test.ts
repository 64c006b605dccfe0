/**
 * oauth4webapi against Gatehouse variants: an issuer with a path (RFC 8414
 * §3.1) and RFC 9068 JWT access tokens, validated the way a strict resource
 * server validates them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { codeFlowOn, discover, insecure, introspect, registerClients, SECRET } from '../support/oauth4webapi-flow.ts';
import { DEFAULT_TEST_RESOURCE, startTestGatehouse, type TestGatehouse } from '../support/test-gatehouse.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('An issuer with a path (RFC 8414 §3.1), driven by oauth4webapi', () => {
  let tenant: TestGatehouse;
  beforeAll(async () => {
    tenant = await startTestGatehouse({ issuerPath: '/tenant-a' });
    await registerClients(tenant);
  });
  afterAll(async () => {
    await tenant?.close();
  });

  it('serves metadata at the path-inserted well-known URI with endpoints under the issuer', async () => {
    const as = await discover(tenant.issuer);
    expect(as.issuer).toBe(`${tenant.origin}/tenant-a`);
    expect(as.authorization_endpoint).toBe(`${tenant.origin}/tenant-a/authorize`);
    expect(as.token_endpoint).toBe(`${tenant.origin}/tenant-a/token`);
  });

  it('serves OpenID Connect discovery at <issuer>/.well-known/openid-configuration with the same issuer', async () => {
    const issuer = new URL(tenant.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    expect(as.issuer).toBe(tenant.issuer);
    expect(as.code_challenge_methods_supported).toContain('S256');
  });

  it('completes login, consent and the code exchange under the issuer path, with iss equal to the path issuer', async () => {
    const { callback, tokens } = await codeFlowOn(browser, tenant, { scope: 'tickets:read' });
    expect(callback.searchParams.get('iss')).toBe(tenant.issuer);
    expect(tokens.scope).toBe('tickets:read');
  });
});

describe('RFC 9068 JWT access tokens, validated by oauth4webapi as a resource server would', () => {
  let gatehouse: TestGatehouse;
  beforeAll(async () => {
    gatehouse = await startTestGatehouse({ server: { accessTokenFormat: 'jwt' } });
    await registerClients(gatehouse);
  });
  afterAll(async () => {
    await gatehouse?.close();
  });

  const presented = (token: string) => new Request(DEFAULT_TEST_RESOURCE, { headers: { authorization: `Bearer ${token}` } });

  it('issues an at+jwt signed by a key in jwks_uri, with iss, aud = the resource, sub, client_id, scope, exp and jti', async () => {
    const { as, tokens } = await codeFlowOn(browser, gatehouse, { scope: 'tickets:read' });
    const claims = await oauth.validateJwtAccessToken(as, presented(tokens.access_token), DEFAULT_TEST_RESOURCE, insecure);
    expect(claims.iss).toBe(gatehouse.issuer);
    expect(claims.aud === DEFAULT_TEST_RESOURCE || (Array.isArray(claims.aud) && claims.aud.includes(DEFAULT_TEST_RESOURCE))).toBe(true);
    expect(claims.sub).toBe(gatehouse.model.alice.id);
    expect(claims.client_id).toBe('e2e-web-app');
    expect(claims.scope).toBe('tickets:read');
    expect(claims.exp).toBeGreaterThan(claims.iat);
    expect(claims.jti).toMatch(/\S/);
  });

  it('a JWT access token is refused by a resource server expecting another audience (RFC 8707)', async () => {
    const { as, tokens } = await codeFlowOn(browser, gatehouse, { scope: 'tickets:read' });
    await expect(oauth.validateJwtAccessToken(as, presented(tokens.access_token), 'https://other.acme.test/mcp', insecure)).rejects.toThrow(/aud/);
  });

  it('reports a revoked JWT access token inactive at introspection', async () => {
    const { as, client, tokens } = await codeFlowOn(browser, gatehouse, { scope: 'tickets:read' });
    expect((await introspect(as, tokens.access_token)).active).toBe(true);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.ClientSecretBasic(SECRET), tokens.access_token, insecure));
    expect(await introspect(as, tokens.access_token)).toEqual({ active: false });
  });
});
