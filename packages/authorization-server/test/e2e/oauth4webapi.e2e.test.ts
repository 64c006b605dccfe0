/**
 * The strict client: oauth4webapi refuses what a lax client forgives
 * (issuer mismatch, missing or wrong `iss`, malformed token responses,
 * wrong content types). Every flow runs against a real listening Gatehouse
 * with the login, organization and consent pages driven in headless
 * Chromium, on SQLite and (when reachable) PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import type { Browser } from 'playwright-core';
import { requirePostgres } from '@gatehouse-auth/store/testing';
import { authorizeInBrowser, launchBrowser } from '../support/browser.ts';
import { authorizationRequest, codeFlowOn, discover, insecure, introspect, redeem, registerClients, REDIRECT_URI, SECRET, type FlowOptions } from '../support/oauth4webapi-flow.ts';
import { DEFAULT_TEST_RESOURCE, startTestGatehouse, type TestGatehouse } from '../support/test-gatehouse.ts';

const ENGINES = ['sqlite-memory', ...((await requirePostgres('oauth4webapi end-to-end on PostgreSQL')) ? ['postgres' as const] : [])] as const;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(ENGINES)('oauth4webapi against a listening Gatehouse on %s', (engine) => {
  let gatehouse: TestGatehouse;

  beforeAll(async () => {
    // No grace window: a rotated refresh token must be refused at once (OAuth 2.1 §4.3.1).
    gatehouse = await startTestGatehouse({ engine, server: { refreshGraceMs: 0 } });
    await registerClients(gatehouse);
  });
  afterAll(async () => {
    await gatehouse?.close();
  });

  const codeFlow = (options: FlowOptions = {}) => codeFlowOn(browser, gatehouse, options);

  const refresh = async (as: oauth.AuthorizationServer, client: oauth.Client, token: string) =>
    oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.ClientSecretBasic(SECRET), token, insecure));

  describe('RFC 8414 authorization server metadata', () => {
    it('serves metadata whose issuer equals the issuer identifier exactly, with S256 PKCE and iss support', async () => {
      const as = await discover(gatehouse.issuer);
      expect(as.issuer).toBe(gatehouse.issuer);
      expect(as.code_challenge_methods_supported).toContain('S256');
      expect(as.authorization_response_iss_parameter_supported).toBe(true);
      expect(as.token_endpoint).toBe(`${gatehouse.issuer}/token`);
    });
  });

  describe('Authorization code grant with PKCE and RFC 9207 iss', () => {
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
      const client: oauth.Client = { client_id: 'e2e-web-app' };
      const { url, verifier, state } = await authorizationRequest(as, client, 'tickets:read');
      const params = oauth.validateAuthResponse(as, client, await authorizeInBrowser(browser, url, REDIRECT_URI, gatehouse.model.alice), state);
      await oauth.processAuthorizationCodeResponse(as, client, await redeem(as, client, params, verifier));
      const replay = oauth.processAuthorizationCodeResponse(as, client, await redeem(as, client, params, verifier));
      await expect(replay).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    });

    it('refuses a code redeemed with the wrong PKCE verifier (RFC 7636 §4.6)', async () => {
      const as = await discover(gatehouse.issuer);
      const client: oauth.Client = { client_id: 'e2e-web-app' };
      const { url, state } = await authorizationRequest(as, client, 'tickets:read');
      const params = oauth.validateAuthResponse(as, client, await authorizeInBrowser(browser, url, REDIRECT_URI, gatehouse.model.alice), state);
      const wrong = oauth.processAuthorizationCodeResponse(as, client, await redeem(as, client, params, oauth.generateRandomCodeVerifier()));
      await expect(wrong).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    });
  });

  describe('Consent and organization pages, answered by a person in the browser', () => {
    it('grants only the scopes left ticked when an optional scope is unticked', async () => {
      const { tokens } = await codeFlow({ clientId: 'e2e-untick-app', browserSteps: { untick: ['tickets:write'] } });
      expect(tokens.scope).toBe('tickets:read');
    });

    it('sends access_denied with iss back to the client when the person denies (RFC 6749 §4.1.2.1, RFC 9207 §2)', async () => {
      const as = await discover(gatehouse.issuer);
      const client: oauth.Client = { client_id: 'e2e-deny-app' };
      const { url, state } = await authorizationRequest(as, client, 'tickets:read');
      const callback = await authorizeInBrowser(browser, url, REDIRECT_URI, { ...gatehouse.model.alice, deny: true });
      expect(callback.searchParams.get('code')).toBeNull();
      expect(callback.searchParams.get('iss')).toBe(gatehouse.issuer);
      expect(() => oauth.validateAuthResponse(as, client, callback, state)).toThrow(expect.objectContaining({ error: 'access_denied' }));
    });

    it("leaves out an org scope the person's role may not grant (finance for an Engineering member)", async () => {
      const { tokens } = await codeFlow({ clientId: 'e2e-role-app', scope: 'tickets:read finance:reports:read' });
      expect(tokens.scope).toBe('tickets:read');
    });

    it('binds the token to the organization the person picks on the organization page', async () => {
      const { bob, secondOrgId } = gatehouse.model;
      const { as, tokens } = await codeFlow({ clientId: 'e2e-org-app', scope: 'tickets:read', person: bob, browserSteps: { org: 'Globex Industries' } });
      const info = await introspect(as, tokens.access_token);
      expect(info.active).toBe(true);
      expect(info.org_id).toBe(secondOrgId);
      expect(info.users_org_roles).toEqual(['Engineering']);
    });
  });

  describe('Refresh token rotation (OAuth 2.1 §4.3.1, MCP: the AS MUST rotate for public clients)', () => {
    it('issues a new refresh token and refuses the old one afterwards', async () => {
      const { as, client, tokens } = await codeFlow();
      const first = tokens.refresh_token!;
      const refreshed = await refresh(as, client, first);
      expect(refreshed.refresh_token).toBeTruthy();
      expect(refreshed.refresh_token).not.toBe(first);
      expect(refreshed.access_token).not.toBe(tokens.access_token);
      await expect(refresh(as, client, first)).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    });

    it('treats reuse of a rotated refresh token as theft: the successor stops working too (RFC 9700 §4.14.2)', async () => {
      const { as, client, tokens } = await codeFlow();
      const refreshed = await refresh(as, client, tokens.refresh_token!);
      await refresh(as, client, tokens.refresh_token!).catch(() => undefined); // the thief's replay
      await expect(refresh(as, client, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
      expect((await introspect(as, refreshed.access_token)).active).toBe(false);
    });
  });

  describe('RFC 7662 introspection and RFC 7009 revocation', () => {
    it('reports an issued access token active with its scope, audience, client, subject and issuer', async () => {
      const { as, tokens } = await codeFlow({ scope: 'tickets:read' });
      const info = await introspect(as, tokens.access_token);
      expect(info.active).toBe(true);
      expect(info.scope).toBe('tickets:read');
      expect(info.client_id).toBe('e2e-web-app');
      expect(info.aud).toBe(DEFAULT_TEST_RESOURCE);
      expect(info.iss).toBe(gatehouse.issuer);
      expect(info.sub).toBe(gatehouse.model.alice.id);
      expect(info.org_id).toBe(gatehouse.model.orgId);
    });

    it('reports a revoked access token inactive at once', async () => {
      const { as, client, tokens } = await codeFlow({ scope: 'tickets:read' });
      await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.ClientSecretBasic(SECRET), tokens.access_token, insecure));
      expect(await introspect(as, tokens.access_token)).toEqual({ active: false });
    });

    it('refuses to refresh with a revoked refresh token', async () => {
      const { as, client, tokens } = await codeFlow({ scope: 'tickets:read' });
      await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.ClientSecretBasic(SECRET), tokens.refresh_token!, insecure));
      await expect(refresh(as, client, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    });
  });
});
