/**
 * Issue 13 must-show (OIDC): node-oidc-provider runs locally as Acme's
 * company IdP. A person types their work email at Gatehouse's login page,
 * is sent to the IdP, signs in there through Chromium, lands in Acme with
 * the role their directory group maps to (created just in time), and the
 * official MCP SDK client then sees exactly that role's tools. Also: an
 * org that enforces SSO offers no password and refuses one server-side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { finishAuthorization, launchBrowser } from '../support/browser.ts';
import { RecordingOAuthProvider } from '../support/mcp-client-provider.ts';
import { reserveOidcIdp, type IdpPerson, type TestIdp } from '../support/oidc-idp.ts';
import { registerTestClient } from '../support/seed.ts';
import { startTestGatehouse, type TestGatehouse } from '../support/test-gatehouse.ts';
import { reserveTicketsServer, serveTickets, type TicketsServer } from '../support/tickets-mcp-server.ts';

const REDIRECT_URL = 'http://127.0.0.1:8978/oauth/callback';
const INTROSPECTION_CLIENT = { clientId: 'acme-tickets-rs', clientSecret: 'acme-tickets-rs-secret-0123456789abcdef' };
const PEOPLE: Record<string, IdpPerson> = {
  'okta-dave': { sub: 'okta-dave', email: 'dave@acme.test', emailVerified: true, name: 'Dave Support', groups: ['support'] },
  'okta-erin': { sub: 'okta-erin', email: 'erin@acme.test', emailVerified: true, name: 'Erin Engineer', groups: ['eng', 'all-staff'] },
  'okta-mallory': { sub: 'okta-mallory', email: 'alice@acme.test', emailVerified: false, name: 'Not Alice', groups: ['eng'] },
};

let idp: TestIdp;
let gatehouse: TestGatehouse;
let tickets: TicketsServer;
let browser: Browser;

beforeAll(async () => {
  idp = await reserveOidcIdp(PEOPLE);
  const reserved = await reserveTicketsServer();
  gatehouse = await startTestGatehouse({
    resourceUri: reserved.resourceUri,
    server: { cimd: { allowLoopback: true } },
    config: (config) => ({
      ...config,
      roles: [...(config.roles ?? []), { name: 'Support', description: 'Answers customers' }],
      // Only Engineering may create tickets: Support members get the read tool only.
      scopes: (config.scopes ?? []).map((s) => (s.name === 'tickets:write' ? { ...s, allowed_roles: ['Engineering'] } : s)),
      organizations: (config.organizations ?? []).map((org) =>
        org.slug === 'acme'
          ? {
              ...org,
              domains: [{ name: 'acme.test', verified_by: 'config' as const }],
              identity_providers: [
                { id: 'okta', type: 'oidc' as const, name: 'Acme Okta', issuer: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret, scopes: ['email', 'profile', 'groups'] },
              ],
              directory: { group_roles: { eng: ['Engineering'], support: ['Support'] } },
            }
          : org,
      ),
    }),
  });
  idp.start(`${gatehouse.issuer}/sso/acme/okta/callback`);
  await registerTestClient(gatehouse.store, {
    id: INTROSPECTION_CLIENT.clientId,
    name: 'Acme tickets (resource server)',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    secret: INTROSPECTION_CLIENT.clientSecret,
    resourceServerFor: [reserved.resourceUri],
  });
  tickets = serveTickets(reserved.listening, { issuer: gatehouse.issuer, introspection: INTROSPECTION_CLIENT, scopesSupported: gatehouse.model.scopes, organizations: [gatehouse.model.orgId] });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await tickets?.close();
  await gatehouse?.close();
  await idp?.close();
});

/** Gatehouse's email step, then the IdP's own login and consent pages; returns once back at Gatehouse. */
async function signInAtIdp(page: Page, email: string, idpLogin: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('link', { name: 'Continue with Acme Okta' }).click();
  await page.getByPlaceholder('Enter any login').fill(idpLogin);
  await page.getByPlaceholder('and password').fill('any-password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  // The IdP asks its own consent (to release email, profile and groups to Gatehouse).
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.href.startsWith(gatehouse.issuer));
}

/** The MCP SDK client's first contact, the person through SSO and consent in Chromium, and the tools it then sees. */
async function toolsAfterSso(email: string, idpLogin: string): Promise<string[]> {
  const provider = new RecordingOAuthProvider({ redirectUrl: REDIRECT_URL, clientName: 'SSO e2e client' });
  const transport = new StreamableHTTPClientTransport(new URL(tickets.resourceUri), { authProvider: provider });
  await expect(new Client({ name: 'sso-e2e', version: '1.0.0' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  const authorizationUrl = provider.authorizationUrls.at(-1)!;
  // The agent asks for both ticket scopes; what it gets is up to the person's role.
  authorizationUrl.searchParams.set('scope', 'tickets:read tickets:write');
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    let reached: string | undefined;
    page.on('request', (request) => {
      if (!reached && request.isNavigationRequest() && request.url().startsWith(REDIRECT_URL)) reached = request.url();
    });
    await page.goto(authorizationUrl.href);
    await signInAtIdp(page, email, idpLogin);
    await finishAuthorization(page, { until: () => reached !== undefined });
    const callback = new URL(reached!);
    expect(callback.searchParams.get('state')).toBe(provider.expectedState);
    await transport.finishAuth(callback.searchParams.get('code')!);
  } finally {
    await context.close();
  }
  const client = new Client({ name: 'sso-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(tickets.resourceUri), { authProvider: provider }));
  try {
    return (await client.listTools()).tools.map((t) => t.name).sort();
  } finally {
    await client.close();
  }
}

describe('OIDC sign-in with node-oidc-provider as the company IdP', () => {
  it('a Support member (IdP group support) is created just in time in Acme as Support and the MCP client sees only the read tool', async () => {
    expect(await toolsAfterSso('dave@acme.test', 'okta-dave')).toEqual(['list_tickets']);
    const dave = await gatehouse.store.users.getByEmail('dave@acme.test');
    expect(dave).toMatchObject({ name: 'Dave Support', passwordHash: null });
    expect((await gatehouse.store.orgs.getMembership(dave!.id, gatehouse.model.orgId))?.roles).toEqual(['Support']);
  });

  it('an Engineering member (IdP group eng) lands as Engineering and the MCP client sees both tools', async () => {
    expect(await toolsAfterSso('erin@acme.test', 'okta-erin')).toEqual(['create_ticket', 'list_tickets']);
    const erin = await gatehouse.store.users.getByEmail('erin@acme.test');
    expect((await gatehouse.store.orgs.getMembership(erin!.id, gatehouse.model.orgId))?.roles).toEqual(['Engineering']);
  });

  it("an IdP account claiming Alice's email without verifying it does not take over her account", async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${gatehouse.issuer}/login`);
      await signInAtIdp(page, 'alice@acme.test', 'okta-mallory');
      await expect(page.getByRole('alert').innerText()).resolves.toContain('did not vouch for the email');
      expect((await context.cookies()).some((c) => c.name.endsWith('gatehouse_session'))).toBe(false);
      expect(await gatehouse.store.federation.findIdentity(gatehouse.model.orgId, 'okta', 'okta-mallory')).toBeUndefined();
    } finally {
      await context.close();
    }
  });

  it('enforce_sso: the login page offers no password to an Acme email, and a password POST is refused server-side', async () => {
    await gatehouse.store.federation.putSettings({ ...(await gatehouse.store.federation.getSettings(gatehouse.model.orgId)), enforceSso: true });
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${gatehouse.issuer}/login`);
      await page.getByLabel('Email').fill('alice@acme.test');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('link', { name: 'Continue with Acme Okta' }).count()).resolves.toBe(1);
      await expect(page.getByLabel('Password').count()).resolves.toBe(0);
      // A hand-made password POST with a valid CSRF token from the same browser.
      const csrf = await page.locator('input[name=csrf]').count();
      expect(csrf).toBe(0);
      await page.goto(`${gatehouse.issuer}/login`);
      const token = await page.locator('input[name=csrf]').getAttribute('value');
      const response = await page.request.post(`${gatehouse.issuer}/login`, {
        form: { csrf: token ?? '', email: 'alice@acme.test', password: gatehouse.model.alice.password },
        headers: { origin: gatehouse.origin },
      });
      expect(response.status()).toBe(400);
      expect(await response.text()).toContain('requires signing in through its identity provider');
      expect((await context.cookies()).some((c) => c.name.endsWith('gatehouse_session'))).toBe(false);
      await context.close();
    } finally {
      await gatehouse.store.federation.putSettings({ ...(await gatehouse.store.federation.getSettings(gatehouse.model.orgId)), enforceSso: false });
    }
  });
});
