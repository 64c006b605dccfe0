/**
 * Issue 13 Must-show (SAML): a samlify IdP runs locally as Acme's company
 * IdP, on another site than Gatehouse (`localhost` against `127.0.0.1`, so
 * its form POST to the ACS is cross-site, as in production). Acme's
 * provider names the IdP only by its metadata URL (imported at first use).
 * The official MCP SDK client asks for access; the person, in Chromium,
 * goes from Gatehouse's login to the IdP and back through the ACS, is
 * created just in time in Acme with the role their IdP group maps to,
 * approves, and the MCP client then sees exactly that role's tools.
 *
 * The person types their work email at Gatehouse's login page and follows
 * "Continue with Acme SAML" (email-first routing to a verified domain's IdP).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createTestIdp, type TestIdp } from '../../../sso/test/support/saml-idp.ts';
import { idpHandler, type IdpUser } from '../../../sso/test/support/saml-idp-server.ts';
import { launchBrowser } from '../support/browser.ts';
import { listen, type Listening } from '../support/listen.ts';
import { RecordingOAuthProvider } from '../support/mcp-client-provider.ts';
import { registerTestClient } from '../support/seed.ts';
import { startTestGatehouse, type TestGatehouse } from '../support/test-gatehouse.ts';
import { reserveTicketsServer, serveTickets, type TicketsServer } from '../support/tickets-mcp-server.ts';

const REDIRECT_URL = 'http://127.0.0.1:8979/oauth/callback';
const INTROSPECTION_CLIENT = { clientId: 'acme-tickets-rs', clientSecret: 'acme-tickets-rs-secret-0123456789abcdef' };
const PEOPLE: Record<string, IdpUser> = {
  dave: { nameId: 'dave@acme.test', attributes: { email: 'dave@acme.test', name: 'Dave Support', groups: ['support', 'all-staff'] } },
  erin: { nameId: 'erin@acme.test', attributes: { email: 'erin@acme.test', name: 'Erin Engineer', groups: ['eng'] } },
};

let idpServer: Listening;
let idp: TestIdp;
let gatehouse: TestGatehouse;
let tickets: TicketsServer;
let browser: Browser;
let current: IdpUser = PEOPLE['dave']!;

beforeAll(async () => {
  idpServer = await listen();
  const idpOrigin = `http://localhost:${idpServer.port}`;
  idp = createTestIdp({ entityId: `${idpOrigin}/metadata`, ssoUrl: `${idpOrigin}/sso` });
  const reserved = await reserveTicketsServer();
  gatehouse = await startTestGatehouse({ resourceUri: reserved.resourceUri, server: { cimd: { allowLoopback: true } } });
  const now = Date.now();
  const store = gatehouse.store;
  const orgId = gatehouse.model.orgId;
  await store.roles.upsert({ name: 'Support', description: 'Answers customers', permissions: [] });
  // Only Engineering may create tickets: Support members get the read tool only.
  const write = await store.scopes.get('tickets:write');
  await store.scopes.upsert({ ...write!, allowedRoles: ['Engineering'] });
  await store.federation.putSettings({ orgId, groupRoles: { eng: ['Engineering'], support: ['Support'] }, defaultRoles: [], enforceSso: false, updatedAt: now });
  await store.federation.putDomain({ orgId, name: 'acme.test', challenge: 'c', verifiedBy: 'config', verifiedAt: now, createdAt: now });
  await store.federation.putProvider({ orgId, id: 'okta', type: 'saml', source: 'config', settings: { name: 'Acme SAML', metadata_url: `${idpOrigin}/metadata` }, updatedAt: now });
  idpServer.handle(idpHandler(idp, () => current, `${gatehouse.issuer}/sso/saml/acme/okta/metadata`));
  await registerTestClient(store, {
    id: INTROSPECTION_CLIENT.clientId,
    name: 'Acme tickets (resource server)',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    secret: INTROSPECTION_CLIENT.clientSecret,
    resourceServerFor: [reserved.resourceUri],
  });
  tickets = serveTickets(reserved.listening, { issuer: gatehouse.issuer, introspection: INTROSPECTION_CLIENT, scopesSupported: gatehouse.model.scopes, organizations: [orgId] });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await tickets?.close();
  await gatehouse?.close();
  await idpServer?.close();
});

/** From Gatehouse's login page (pending authorization) through the SAML IdP and back, then the consent screen, until the client's redirect. */
async function signInThroughSaml(page: Page, reached: () => boolean): Promise<void> {
  // Email first: an address of Acme's verified domain is offered Acme's identity provider.
  await page.getByLabel('Email').fill(current.nameId);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('link', { name: 'Continue with Acme SAML' }).click();
  await page.waitForURL((url) => url.href.startsWith(`http://localhost:${idpServer.port}/`));
  expect(page.url().startsWith(`http://localhost:${idpServer.port}/sso?SAMLRequest=`)).toBe(true);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.href.startsWith(gatehouse.issuer) && !url.pathname.startsWith('/sso/'));
  for (let step = 0; step < 4 && !reached(); step++) {
    const approve = page.getByRole('button', { name: /^(approve|allow)\b/i });
    if ((await approve.count()) === 0) throw new Error(`unexpected page ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 400)}`);
    await Promise.all([page.waitForEvent('framenavigated').catch(() => undefined), approve.first().click()]);
    await page.waitForLoadState('domcontentloaded').catch(() => undefined);
  }
}

/** The MCP SDK client's first contact, the person through SAML and consent in Chromium, and the tools it then sees. */
async function toolsAfterSaml(person: IdpUser): Promise<string[]> {
  current = person;
  const provider = new RecordingOAuthProvider({ redirectUrl: REDIRECT_URL, clientName: 'SAML e2e client' });
  const transport = new StreamableHTTPClientTransport(new URL(tickets.resourceUri), { authProvider: provider });
  await expect(new Client({ name: 'saml-e2e', version: '1.0.0' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
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
    await signInThroughSaml(page, () => reached !== undefined);
    await expect.poll(() => reached, { timeout: 10_000 }).toBeDefined();
    const callback = new URL(reached!);
    expect(callback.searchParams.get('state')).toBe(provider.expectedState);
    await transport.finishAuth(callback.searchParams.get('code')!);
  } finally {
    await context.close();
  }
  const client = new Client({ name: 'saml-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(tickets.resourceUri), { authProvider: provider }));
  try {
    return (await client.listTools()).tools.map((t) => t.name).sort();
  } finally {
    await client.close();
  }
}

describe('SAML sign-in with a samlify IdP as the company IdP', () => {
  it('a Support member (IdP group support) is created just in time in Acme as Support and the MCP client sees only the read tool', async () => {
    expect(await toolsAfterSaml(PEOPLE['dave']!)).toEqual(['list_tickets']);
    const dave = await gatehouse.store.users.getByEmail('dave@acme.test');
    expect(dave).toMatchObject({ name: 'Dave Support', passwordHash: null });
    expect((await gatehouse.store.orgs.getMembership(dave!.id, gatehouse.model.orgId))?.roles).toEqual(['Support']);
    expect(await gatehouse.store.federation.findIdentity(gatehouse.model.orgId, 'okta', 'dave@acme.test')).toMatchObject({ userId: dave!.id });
  });

  it('an Engineering member (IdP group eng) lands as Engineering and the MCP client sees both tools', async () => {
    expect(await toolsAfterSaml(PEOPLE['erin']!)).toEqual(['create_ticket', 'list_tickets']);
    const erin = await gatehouse.store.users.getByEmail('erin@acme.test');
    expect((await gatehouse.store.orgs.getMembership(erin!.id, gatehouse.model.orgId))?.roles).toEqual(['Engineering']);
  });
});
