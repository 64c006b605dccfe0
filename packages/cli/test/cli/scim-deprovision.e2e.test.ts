/**
 * Issue 13 "Must show": SCIM deactivate while the person's agent holds a
 * live token. Gatehouse runs as `gatehouse serve` composes it (SQLite and
 * PostgreSQL); the operator creates the org's SCIM token through the admin
 * API; the directory (Okta-shaped requests) links Alice and puts her in
 * Engineering; the official MCP SDK client signs her in through Chromium
 * and calls a tool on an MCP server protected by @gatehouse-auth/mcp with
 * its introspection cache on (the token is served from the cache). Then the
 * directory deactivates her: the MCP server answers 401 within one second,
 * the refresh token is dead, and the audit log names the directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { configSchema, startGatehouse, type RunningGatehouse } from '@gatehouse-auth/cli';
import { createTestStore, requirePostgres, type TestStore } from '@gatehouse-auth/store/testing';
import { authorizeInBrowser, launchBrowser } from '../../../authorization-server/test/support/browser.ts';
import { RecordingOAuthProvider } from '../../../authorization-server/test/support/mcp-client-provider.ts';
import { ALICE, registerTestClient, testConfig } from '../../../authorization-server/test/support/seed.ts';
import { reserveTicketsServer, serveTickets, type TicketsServer, type TicketsServerOptions } from '../../../authorization-server/test/support/tickets-mcp-server.ts';

const postgres = await requirePostgres('SCIM deprovisioning end to end on PostgreSQL');
const REDIRECT_URL = 'http://127.0.0.1:8978/oauth/callback';
const INTROSPECTION_CLIENT = { clientId: 'acme-tickets-rs', clientSecret: 'acme-tickets-rs-secret-0123456789abcdef' };
const ADMIN_KEY = 'scim-e2e-operator-key-0123456789abcdef';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

for (const engine of ['sqlite', 'postgres'] as const) {
  describe.skipIf(engine === 'postgres' && !postgres)(`SCIM deactivate cuts a live agent off (${engine})`, () => {
    let gatehouse: RunningGatehouse;
    let testStore: TestStore | undefined;
    let tickets: TicketsServer;
    const lookups: string[] = [];

    beforeAll(async () => {
      const reserved = await reserveTicketsServer();
      const config = configSchema.parse(testConfig(reserved.resourceUri));
      testStore = engine === 'postgres' ? await createTestStore('postgres') : undefined;
      gatehouse = await startGatehouse({
        ...(testStore ? { store: testStore.store } : { databaseUrl: 'sqlite::memory:' }),
        config,
        adminKey: ADMIN_KEY,
        options: { cimd: { allowLoopback: true } },
      });
      await registerTestClient(gatehouse.store, {
        id: INTROSPECTION_CLIENT.clientId,
        name: 'Acme tickets (RS)',
        redirectUris: [],
        grantTypes: ['client_credentials'],
        secret: INTROSPECTION_CLIENT.clientSecret,
        resourceServerFor: [reserved.resourceUri],
      });
      const acme = await gatehouse.store.orgs.getBySlug('acme');
      // Acme's directory group Engineering gives the Engineering role (the org's mapping, shared with SSO sign-in).
      await gatehouse.store.federation.putSettings({ orgId: acme!.id, groupRoles: { Engineering: ['Engineering'] }, defaultRoles: [], enforceSso: false, updatedAt: Date.now() });
      // The introspection cache stays on (60 s with the revocation stream); its lookups are recorded.
      const introspection = { ...INTROSPECTION_CLIENT, onCacheLookup: (result: string) => lookups.push(result) } as TicketsServerOptions['introspection'];
      tickets = serveTickets(reserved.listening, { issuer: gatehouse.issuer, introspection, scopesSupported: ['tickets:read', 'tickets:write', 'finance:reports:read'], organizations: [acme!.id] });
    });
    afterAll(async () => {
      await tickets?.close();
      await gatehouse?.close();
      await testStore?.cleanup();
    });

    const scim = (token: string, method: string, path: string, body?: unknown) =>
      fetch(`${gatehouse.issuer}/scim/v2/acme/${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', accept: 'application/scim+json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const mcpCall = (token: string) =>
      fetch(tickets.resourceUri, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });

    it('deactivation reaches the MCP server within one second; the refresh token is dead; the audit log names the directory', async () => {
      // The operator creates the org's SCIM token (shown once); a second create is refused.
      const issued = await fetch(`${gatehouse.issuer}/admin/orgs/acme/scim-token`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(issued.status).toBe(200);
      const { token: scimToken, scim_base_url } = (await issued.json()) as { token: string; scim_base_url: string };
      expect(scim_base_url).toBe(`${gatehouse.issuer}/scim/v2/acme`);
      expect((await fetch(`${gatehouse.issuer}/admin/orgs/acme/scim-token`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(409);
      expect((await fetch(`${gatehouse.issuer}/admin/orgs/acme/scim-token`, { method: 'POST' })).status).toBe(401);

      // Okta: look up, create (links the existing account by email), push the Engineering group.
      const lookup = await scim(scimToken, 'GET', `Users?filter=${encodeURIComponent(`userName eq "${ALICE.email}"`)}&startIndex=1&count=100`);
      expect(((await lookup.json()) as { totalResults: number }).totalResults).toBe(0);
      const created = await scim(scimToken, 'POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: ALICE.email,
        name: { givenName: 'Alice', familyName: 'Engineer' },
        emails: [{ primary: true, value: ALICE.email, type: 'work' }],
        externalId: '00ualice',
        active: true,
      });
      expect(created.status).toBe(201);
      const alice = (await created.json()) as { id: string };
      const group = await scim(scimToken, 'POST', 'Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Engineering',
        members: [{ value: alice.id, display: ALICE.email }],
      });
      expect(group.status).toBe(201);
      const acme = await gatehouse.store.orgs.getBySlug('acme');
      expect((await gatehouse.store.orgs.getMembership(alice.id, acme!.id))?.roles).toEqual(['Engineering']);

      // Alice's agent: the official MCP SDK client, signed in through the browser.
      const provider = new RecordingOAuthProvider({ redirectUrl: REDIRECT_URL, clientName: 'SCIM e2e agent' });
      const transport = new StreamableHTTPClientTransport(new URL(tickets.resourceUri), { authProvider: provider });
      await expect(new Client({ name: 'scim-e2e', version: '1.0.0' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
      const callback = await authorizeInBrowser(browser, provider.authorizationUrls.at(-1)!, REDIRECT_URL, { email: ALICE.email, password: ALICE.password });
      await transport.finishAuth(callback.searchParams.get('code')!);
      const { access_token: accessToken, refresh_token: refreshToken } = provider.tokens()!;
      expect(refreshToken).toBeTruthy();
      expect((await mcpCall(accessToken)).status).toBe(200);
      lookups.length = 0;
      expect((await mcpCall(accessToken)).status).toBe(200);
      expect(lookups).toEqual(['hit']); // the resource server answers from its cache

      // The directory deactivates her (Okta's PATCH).
      const started = performance.now();
      const deactivated = await scim(scimToken, 'PATCH', `Users/${alice.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
      expect(deactivated.status).toBe(200);
      let status = 200;
      while (performance.now() - started < 1000) {
        status = (await mcpCall(accessToken)).status;
        if (status === 401) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const elapsed = performance.now() - started;
      expect(status).toBe(401);
      expect(elapsed).toBeLessThan(1000);
      console.info(`SCIM deactivate → MCP server 401 after ${elapsed.toFixed(0)} ms (${engine})`);

      // The refresh token is dead.
      const refreshed = await fetch(`${gatehouse.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken!, client_id: provider.clientInfo!.client_id, resource: tickets.resourceUri }),
      });
      expect(refreshed.status).toBe(400);
      expect(((await refreshed.json()) as { error: string }).error).toBe('invalid_grant');

      // The audit log records the revocation with the directory as the actor.
      await gatehouse.audit?.flush();
      const records = await gatehouse.store.audit.find({ chain: acme!.id, order: 'asc', limit: 1000 });
      const byDirectory = records.filter((r) => r.actor !== null && (JSON.parse(r.actor) as { kind: string }).kind === 'directory');
      expect(byDirectory.map((r) => r.type)).toEqual(expect.arrayContaining(['admin.membership.removed', 'grant.revoked']));
      expect(byDirectory.every((r) => (JSON.parse(r.actor!) as { id: string }).id === 'scim:acme')).toBe(true);
    });
  });
}
