/**
 * Gatehouse as production runs it: an https issuer. The browser step and the
 * token exchange run over TLS (a throwaway certificate for 127.0.0.1 that
 * this test trusts explicitly), and the browser's own cookie jar shows the
 * session cookies' attributes ([BP] session cookies: `__Host-` prefix,
 * Secure, HttpOnly, SameSite=Lax, host-only, Path=/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oauth from 'oauth4webapi';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Browser } from 'playwright-core';
import { authorizeInContext, launchBrowser } from '../support/browser.ts';
import { REDIRECT_URI, registerClients, SECRET } from '../support/oauth4webapi-flow.ts';
import { DEFAULT_TEST_RESOURCE, startTestGatehouse, type TestGatehouse } from '../support/test-gatehouse.ts';

let gatehouse: TestGatehouse;
let browser: Browser;
let agent: Agent;
let trusting: { [oauth.customFetch]: typeof fetch };

beforeAll(async () => {
  gatehouse = await startTestGatehouse({ https: true });
  await registerClients(gatehouse);
  // Trust exactly this server's certificate, nothing more.
  agent = new Agent({ connect: { ca: gatehouse.certificate! } });
  trusting = { [oauth.customFetch]: ((url: string, init: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch };
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await agent?.close();
  await gatehouse?.close();
});

describe('An https issuer, end to end', () => {
  it('serves https metadata and completes login, consent and the code exchange over TLS with iss', async () => {
    expect(gatehouse.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const issuer = new URL(gatehouse.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...trusting }));
    expect(as.token_endpoint).toBe(`${gatehouse.issuer}/token`);

    const client: oauth.Client = { client_id: 'e2e-web-app' };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT_URI,
      scope: 'tickets:read',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      resource: DEFAULT_TEST_RESOURCE,
    }).toString();

    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const callback = await authorizeInContext(context, url, REDIRECT_URI, gatehouse.model.alice);
      expect(callback.searchParams.get('iss')).toBe(gatehouse.issuer);
      const params = oauth.validateAuthResponse(as, client, callback, state);
      const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(SECRET), params, REDIRECT_URI, verifier, {
        additionalParameters: { resource: DEFAULT_TEST_RESOURCE },
        ...trusting,
      });
      const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
      expect(tokens.scope).toBe('tickets:read');

      const cookies = await context.cookies(gatehouse.issuer);
      const names = cookies.map((cookie) => cookie.name).sort();
      expect(names).toEqual(['__Host-gatehouse_browser', '__Host-gatehouse_session']);
      for (const cookie of cookies) {
        expect(cookie, cookie.name).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/', domain: '127.0.0.1' });
      }
    } finally {
      await context.close();
    }
  });
});
