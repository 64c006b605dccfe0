/**
 * The strict client: oauth4webapi refuses what a lax client forgives
 * (issuer mismatch, missing or wrong `iss`, malformed token responses,
 * wrong content types). Every flow runs against a real listening Gatehouse
 * with the login and consent pages driven in headless Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import type { Browser } from 'playwright-core';
import { authorizeInBrowser, launchBrowser } from '../support/browser.ts';
import { registerTestClient } from '../support/seed.ts';
import { DEFAULT_TEST_RESOURCE, startTestGatehouse, type TestGatehouse } from '../support/test-gatehouse.ts';

const REDIRECT_URI = 'http://127.0.0.1:8976/callback';
const CLIENT: oauth.Client = { client_id: 'e2e-web-app' };
const CLIENT_SECRET = 'e2e-web-app-secret-0123456789abcdef';
const RESOURCE_SERVER: oauth.Client = { client_id: 'e2e-resource-server' };
const RESOURCE_SERVER_SECRET = 'e2e-resource-server-secret-0123456789';
const insecure = { [oauth.allowInsecureRequests]: true } as const; // loopback http issuer in tests only

let gatehouse: TestGatehouse;
let browser: Browser;

beforeAll(async () => {
  // No grace window: a rotated refresh token must be refused at once (OAuth 2.1 §4.3.1).
  gatehouse = await startTestGatehouse({ server: { refreshGraceMs: 0 } });
  await registerTestClient(gatehouse.store, { id: CLIENT.client_id, name: 'E2E Web App', redirectUris: [REDIRECT_URI], secret: CLIENT_SECRET });
  await registerTestClient(gatehouse.store, { id: RESOURCE_SERVER.client_id, name: 'E2E Resource Server', redirectUris: [], grantTypes: ['client_credentials'], secret: RESOURCE_SERVER_SECRET });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await gatehouse?.close();
});

async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oauth2', ...insecure }));
}

interface CodeFlowResult {
  as: oauth.AuthorizationServer;
  callback: URL;
  tokens: oauth.TokenEndpointResponse;
}

/** Authorization code + PKCE (S256) as alice, validated end to end by oauth4webapi. */
async function codeFlow(scope = 'tickets:read tickets:write'): Promise<CodeFlowResult> {
  const as = await discover(gatehouse.issuer);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const authorizationUrl = new URL(as.authorization_endpoint!);
  authorizationUrl.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT.client_id,
    redirect_uri: REDIRECT_URI,
    scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    resource: DEFAULT_TEST_RESOURCE,
  }).toString();
  const { alice } = gatehouse.model;
  const callback = await authorizeInBrowser(browser, authorizationUrl, REDIRECT_URI, { email: alice.email, password: alice.password });
  // Checks state, error and (RFC 9207) iss against the discovered issuer.
  const params = oauth.validateAuthResponse(as, CLIENT, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(as, CLIENT, oauth.ClientSecretBasic(CLIENT_SECRET), params, REDIRECT_URI, verifier, {
    additionalParameters: { resource: DEFAULT_TEST_RESOURCE },
    ...insecure,
  });
  return { as, callback, tokens: await oauth.processAuthorizationCodeResponse(as, CLIENT, response) };
}

async function introspect(as: oauth.AuthorizationServer, token: string): Promise<oauth.IntrospectionResponse> {
  const response = await oauth.introspectionRequest(as, RESOURCE_SERVER, oauth.ClientSecretBasic(RESOURCE_SERVER_SECRET), token, insecure);
  return oauth.processIntrospectionResponse(as, RESOURCE_SERVER, response);
}

describe('RFC 8414 authorization server metadata, read by oauth4webapi', () => {
  it('serves metadata whose issuer equals the issuer identifier exactly, with S256 PKCE and iss support', async () => {
    const as = await discover(gatehouse.issuer);
    expect(as.issuer).toBe(gatehouse.issuer);
    expect(as.code_challenge_methods_supported).toContain('S256');
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.token_endpoint).toBe(`${gatehouse.issuer}/token`);
  });

  it('serves metadata for an issuer with a path at the path-inserted well-known URI (RFC 8414 §3.1)', async () => {
    const tenant = await startTestGatehouse({ issuerPath: '/tenant-a' });
    try {
      const as = await discover(tenant.issuer);
      expect(as.issuer).toBe(`${tenant.origin}/tenant-a`);
      expect(as.authorization_endpoint).toBe(`${tenant.origin}/tenant-a/authorize`);
    } finally {
      await tenant.close();
    }
  });
});

describe('Authorization code grant with PKCE and RFC 9207 iss, as oauth4webapi does it', () => {
  it('returns code, state and an iss equal to the issuer, and redeems the code for bearer tokens', async () => {
    const { callback, tokens } = await codeFlow();
    expect(callback.searchParams.get('iss')).toBe(gatehouse.issuer);
    expect(callback.searchParams.getAll('code')).toHaveLength(1);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(' ').sort()).toEqual(['tickets:read', 'tickets:write']);
    expect(tokens.expires_in).toBeGreaterThan(0);
  });

  it('refuses to redeem the same authorization code twice (OAuth 2.1 §4.1.3)', async () => {
    const as = await discover(gatehouse.issuer);
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: 'code', client_id: CLIENT.client_id, redirect_uri: REDIRECT_URI, scope: 'tickets:read', state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', resource: DEFAULT_TEST_RESOURCE,
    }).toString();
    const { alice } = gatehouse.model;
    const params = oauth.validateAuthResponse(as, CLIENT, await authorizeInBrowser(browser, url, REDIRECT_URI, alice), state);
    const redeem = () =>
      oauth.authorizationCodeGrantRequest(as, CLIENT, oauth.ClientSecretBasic(CLIENT_SECRET), params, REDIRECT_URI, verifier, { additionalParameters: { resource: DEFAULT_TEST_RESOURCE }, ...insecure });
    await oauth.processAuthorizationCodeResponse(as, CLIENT, await redeem());
    const replay = oauth.processAuthorizationCodeResponse(as, CLIENT, await redeem());
    await expect(replay).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });
});

describe('Refresh token rotation (OAuth 2.1 §4.3.1, MCP: AS MUST rotate for public clients)', () => {
  it('issues a new refresh token and refuses the old one afterwards', async () => {
    const { as, tokens } = await codeFlow();
    const first = tokens.refresh_token!;
    const refreshed = await oauth.processRefreshTokenResponse(as, CLIENT, await oauth.refreshTokenGrantRequest(as, CLIENT, oauth.ClientSecretBasic(CLIENT_SECRET), first, insecure));
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(first);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    const reuse = oauth.processRefreshTokenResponse(as, CLIENT, await oauth.refreshTokenGrantRequest(as, CLIENT, oauth.ClientSecretBasic(CLIENT_SECRET), first, insecure));
    await expect(reuse).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('treats reuse of a rotated refresh token as theft: the successor stops working too (RFC 9700 §4.14.2)', async () => {
    const { as, tokens } = await codeFlow();
    const auth = oauth.ClientSecretBasic(CLIENT_SECRET);
    const refreshed = await oauth.processRefreshTokenResponse(as, CLIENT, await oauth.refreshTokenGrantRequest(as, CLIENT, auth, tokens.refresh_token!, insecure));
    await oauth.refreshTokenGrantRequest(as, CLIENT, auth, tokens.refresh_token!, insecure); // the thief's replay
    const successor = oauth.processRefreshTokenResponse(as, CLIENT, await oauth.refreshTokenGrantRequest(as, CLIENT, auth, refreshed.refresh_token!, insecure));
    await expect(successor).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await introspect(as, refreshed.access_token)).active).toBe(false);
  });
});

describe('RFC 7662 introspection and RFC 7009 revocation', () => {
  it('reports an issued access token active with its scope, audience, client and issuer', async () => {
    const { as, tokens } = await codeFlow('tickets:read');
    const info = await introspect(as, tokens.access_token);
    expect(info.active).toBe(true);
    expect(info.scope).toBe('tickets:read');
    expect(info.client_id).toBe(CLIENT.client_id);
    expect(info.aud).toBe(DEFAULT_TEST_RESOURCE);
    expect(info.iss).toBe(gatehouse.issuer);
    expect(info.sub).toBe(gatehouse.model.alice.id);
  });

  it('reports a revoked access token inactive at once', async () => {
    const { as, tokens } = await codeFlow('tickets:read');
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, CLIENT, oauth.ClientSecretBasic(CLIENT_SECRET), tokens.access_token, insecure));
    expect(await introspect(as, tokens.access_token)).toEqual({ active: false });
  });

  it('refuses to refresh with a revoked refresh token', async () => {
    const { as, tokens } = await codeFlow('tickets:read');
    const auth = oauth.ClientSecretBasic(CLIENT_SECRET);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, CLIENT, auth, tokens.refresh_token!, insecure));
    const refresh = oauth.processRefreshTokenResponse(as, CLIENT, await oauth.refreshTokenGrantRequest(as, CLIENT, auth, tokens.refresh_token!, insecure));
    await expect(refresh).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
