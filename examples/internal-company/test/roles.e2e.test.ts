/**
 * The demo MCP server against the REAL Gatehouse (startGatehouse with
 * examples/internal-company/gatehouse.yaml), driven by the official MCP SDK
 * client: 401 → PRM → AS metadata → DCR → login + consent in headless
 * Chromium → PKCE code exchange → tools. Each department sees exactly its
 * tools; step-up, revocation, role removal and an AS outage behave as the
 * MCP authorization spec and our fail-closed rule say.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { auth, UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { randomToken } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { apply, loadConfigFile, startGatehouse, type GatehouseConfig, type RunningGatehouse } from '@gatehouse-auth/cli';
import { startInternalCompanyServer, TOOL_SCOPES, type RunningInternalCompanyServer } from '../src/index.ts';
import { launchChromium, loginAndConsent, type Person } from './support/browser.ts';
import { TestOAuthProvider } from './support/oauth-provider.ts';
import { acmeId, pointedAt, resourceServerCredentials } from './support/company-config.ts';

// A browser login on a shared, loaded 2-core machine can exceed the default 30 s.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const REDIRECT = 'http://127.0.0.1:8979/oauth/callback';
const ADMIN_KEY = randomToken();
const AS_OPTIONS = { loginThrottle: { perAccount: 50, perIp: 500, windowSeconds: 60 } };
const PEOPLE: Record<string, Person & { role: string; scopes: string[]; allowed: [string, Record<string, unknown>]; forbidden: [string, Record<string, unknown>] }> = {
  maria: {
    email: 'maria@acme.test',
    password: 'maria-dev-password',
    role: 'Management',
    scopes: ['employees:read:public', 'employees:read:private', 'finance:read:revenue', 'analytics:read:all', 'customers:read:summary'],
    allowed: ['revenue_report', {}],
    forbidden: ['list_tickets', {}],
  },
  hana: {
    email: 'hana@acme.test',
    password: 'hana-dev-password',
    role: 'HR',
    scopes: ['employees:read:public', 'employees:read:private'],
    allowed: ['employee_information_private', { employee_id: 'e-102' }],
    forbidden: ['revenue_report', {}],
  },
  eli: {
    email: 'eli@acme.test',
    password: 'eli-dev-password',
    role: 'Engineering',
    scopes: ['employees:read:public', 'tickets:read', 'code:read'],
    allowed: ['search_code', { query: 'vat' }],
    forbidden: ['revenue_report', {}],
  },
  sam: {
    email: 'sam@acme.test',
    password: 'sam-dev-password',
    role: 'Support',
    scopes: ['employees:read:public', 'customers:read:summary', 'tickets:read', 'ticket:write:update'],
    allowed: ['list_tickets', {}],
    forbidden: ['employee_information_private', { employee_id: 'e-100' }],
  },
};

let store: Store;
let config: GatehouseConfig;
let gatehouse: RunningGatehouse;
let company: RunningInternalCompanyServer;
let browser: Browser;
const ran: string[] = [];

beforeAll(async () => {
  store = await createStore('sqlite::memory:');
  config = await loadConfigFile(fileURLToPath(new URL('../gatehouse.yaml', import.meta.url)));
  gatehouse = await startGatehouse({ store, config, adminKey: ADMIN_KEY, options: AS_OPTIONS });
  company = await startInternalCompanyServer({
    port: 0,
    issuer: gatehouse.issuer,
    introspection: resourceServerCredentials(config),
    organizations: [await acmeId(store)],
    onToolRun: (tool) => ran.push(tool),
  });
  // This run's MCP server listens on a random port: point the catalogue's resource (and its resource server) at it.
  await apply(store, pointedAt(config, company.resource), { events: gatehouse.events });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await company?.close();
  await gatehouse?.close();
  await store?.close();
});

/** The official client's first contact (401 → discovery → DCR → authorization URL), the person, then the code exchange. */
async function signIn(person: Person, provider = new TestOAuthProvider(REDIRECT, `e2e ${person.email}`)): Promise<TestOAuthProvider> {
  const transport = new StreamableHTTPClientTransport(new URL(company.url), { authProvider: provider });
  await expect(new Client({ name: 'e2e', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  await finishInBrowser(person, provider, (code) => transport.finishAuth(code));
  return provider;
}

async function finishInBrowser(person: Person, provider: TestOAuthProvider, redeem: (code: string) => Promise<unknown>): Promise<void> {
  const url = provider.authorizationUrls.at(-1)!;
  expect(url.searchParams.get('resource')).toBe(company.resource);
  const callback = await loginAndConsent(browser, url, REDIRECT, person);
  expect(callback.searchParams.get('error'), callback.search).toBeNull();
  expect(callback.searchParams.get('state')).toBe(provider.lastState);
  expect(callback.searchParams.get('iss')).toBe(gatehouse.issuer);
  await redeem(callback.searchParams.get('code') ?? '');
}

async function connected(provider: TestOAuthProvider): Promise<Client> {
  const client = new Client({ name: 'e2e', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(company.url), { authProvider: provider }));
  return client;
}

/** One tools/call with a given token and no client-side recovery, to see exactly what the server answers. */
const rawCall = (token: string, name: string, args: Record<string, unknown>) =>
  fetch(company.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });

const toolsFor = (scopes: string[]) =>
  Object.entries(TOOL_SCOPES)
    .filter(([, scope]) => scopes.includes(scope))
    .map(([tool]) => tool)
    .sort();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Each department connects with the official MCP client and sees exactly its tools (seed 001)', () => {
  for (const person of Object.values(PEOPLE)) {
    it(`${person.role}: lists its tools, calls ${person.allowed[0]}, and is refused ${person.forbidden[0]} without the handler running`, async () => {
      ran.length = 0;
      const provider = await signIn(person);
      expect(provider.tokens()?.scope?.split(' ').sort()).toEqual([...person.scopes].sort());
      const client = await connected(provider);
      expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(toolsFor(person.scopes));
      const result = await client.callTool({ name: person.allowed[0], arguments: person.allowed[1] });
      expect(result.isError).toBeFalsy();
      expect(ran).toContain(person.allowed[0]);

      const forbidden = await rawCall(provider.tokens()!.access_token, ...person.forbidden);
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_scope", scope="${TOOL_SCOPES[person.forbidden[0]]}", resource_metadata="${new URL('/.well-known/oauth-protected-resource/mcp', company.url).href}"`,
      );
      // The official client tries to step up once (refresh), meets the same challenge and gives up.
      await expect(client.callTool({ name: person.forbidden[0], arguments: person.forbidden[1] })).rejects.toThrow(/403/);
      expect(ran).not.toContain(person.forbidden[0]);
      await client.close();
    });
  }
});

describe('MCP step-up: 403 insufficient_scope → re-authorize with the union → success', () => {
  it('Support starts with tickets:read only and steps up to update a ticket', async () => {
    const sam = PEOPLE.sam!;
    const provider = new TestOAuthProvider(REDIRECT, 'e2e step-up');
    // First contact registers the client (DCR) for the scopes the 401 challenge names (all
    // of them: required_scopes is empty). The SDK registers with the scope of its first
    // authorization, and Gatehouse holds a DCR client to its registered scope (RFC 7591 §2).
    const transport = new StreamableHTTPClientTransport(new URL(company.url), { authProvider: provider });
    await expect(new Client({ name: 'e2e', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    // This client then asks for less than it may: only tickets:read.
    expect(await auth(provider, { serverUrl: company.url, scope: 'tickets:read' })).toBe('REDIRECT');
    await finishInBrowser(sam, provider, (code) => auth(provider, { serverUrl: company.url, authorizationCode: code }));
    expect(provider.tokens()?.scope).toBe('tickets:read');
    const client = await connected(provider);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['list_tickets']);

    const challenge = await rawCall(provider.tokens()!.access_token, 'update_ticket', { ticketId: 'T-2', reply: 'stepping up' });
    expect(challenge.status).toBe(403);
    const wanted = /scope="([^"]+)"/.exec(challenge.headers.get('www-authenticate') ?? '')![1]!;
    expect(wanted).toBe('ticket:write:update');
    expect(ran).not.toContain('update_ticket');

    const union = [...new Set([...provider.tokens()!.scope!.split(' '), ...wanted.split(' ')])].join(' ');
    provider.invalidateCredentials('tokens');
    expect(await auth(provider, { serverUrl: company.url, scope: union })).toBe('REDIRECT');
    expect(provider.authorizationUrls.at(-1)!.searchParams.get('scope')).toBe('tickets:read ticket:write:update');
    await finishInBrowser(sam, provider, (code) => auth(provider, { serverUrl: company.url, authorizationCode: code }));

    const stepped = await connected(provider);
    expect((await stepped.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['list_tickets', 'update_ticket']);
    const updated = await stepped.callTool({ name: 'update_ticket', arguments: { ticketId: 'T-2', reply: 'stepping up' } });
    expect(updated.isError).toBeFalsy();
    expect(ran).toContain('update_ticket');
    await client.close();
    await stepped.close();
  });
});

describe('Revocation reaches the MCP server at once, with caching on', () => {
  it('a token revoked at the AS (RFC 7009) is refused 1 s later', async () => {
    const provider = await signIn(PEOPLE.eli!);
    const token = provider.tokens()!.access_token;
    expect((await rawCall(token, 'search_code', { query: 'login' })).status).toBe(200);
    const revoked = await fetch(`${gatehouse.issuer}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: provider.clientInformation()!.client_id }),
    });
    expect(revoked.status).toBe(200);
    await sleep(1_000);
    const after = await rawCall(token, 'search_code', { query: 'login' });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it("removing the user's role at the AS is enforced 1 s later", async () => {
    const provider = await signIn(PEOPLE.hana!);
    const token = provider.tokens()!.access_token;
    expect((await rawCall(token, 'employee_information_public', { employee_id: 'e-101' })).status).toBe(200);
    const user = (await store.users.getByEmail('hana@acme.test'))!;
    const changed = await fetch(`${gatehouse.issuer}/admin/orgs/acme/members/${user.id}/roles`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ roles: [] }),
    });
    expect(changed.status).toBe(200);
    await sleep(1_000);
    expect((await rawCall(token, 'employee_information_public', { employee_id: 'e-101' })).status).toBe(401);
  });
});

describe('Deprovisioning reaches the MCP server at once', () => {
  it('a user disabled at the AS is refused 1 s later, with caching on', async () => {
    const provider = await signIn(PEOPLE.sam!);
    const token = provider.tokens()!.access_token;
    expect((await rawCall(token, 'list_tickets', {})).status).toBe(200);
    const user = (await store.users.getByEmail('sam@acme.test'))!;
    const disabled = await fetch(`${gatehouse.issuer}/admin/users/${user.id}/disable`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(disabled.status).toBe(200);
    await sleep(1_000);
    expect((await rawCall(token, 'list_tickets', {})).status).toBe(401);
  });
});

describe('Fail closed when the authorization server is down', () => {
  it('refuses an uncached token while the AS is stopped, and recovers by itself after a restart', async () => {
    const provider = await signIn(PEOPLE.maria!);
    const token = provider.tokens()!.access_token;
    ran.length = 0;
    const port = gatehouse.port;
    await gatehouse.close();
    const refused = await rawCall(token, 'revenue_report', {});
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: -32001 } });
    expect(ran).toEqual([]);

    gatehouse = await startGatehouse({ store, port, adminKey: ADMIN_KEY, options: AS_OPTIONS });
    const recovered = await rawCall(token, 'revenue_report', {});
    expect(recovered.status).toBe(200);
    expect(ran).toEqual(['revenue_report']);
  });
});
