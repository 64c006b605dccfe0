/**
 * Issue 16, item 1, with the resource-server SDK in front: a time-boxed
 * scope leaves `tools/list` the moment it ends, without any refresh and
 * although the SDK caches introspection answers for a minute. The SDK
 * introspects against the real authorization server (in process, through
 * its fetch option) on the same injected clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatedMcpServer, protectMcpServer, requireScopes, type ProtectedMcp } from '@gatehouse-auth/mcp';
import { TokenCache } from '@gatehouse-auth/mcp';
import { toRevocationMessage } from '../../src/events-stream/revocation-event.ts';
import { ALICE, createFixture, issueCode, ORG, redeem, RESOURCE, SECRET, type Fixture } from './fixture.ts';

let fx: Fixture;
let mcp: ProtectedMcp;
let calls = 0;

beforeEach(async () => {
  fx = await createFixture();
  const server = new GatedMcpServer({ name: 'crm', version: '1.0.0' });
  const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
  server.registerTool('read_accounts', { description: 'Read', requires: requireScopes('crm:read') }, async () => text('accounts'));
  server.registerTool('update_account', { description: 'Write', requires: requireScopes('crm:write') }, async () => text('updated'));
  calls = 0;
  const introspectAtGatehouse = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls++;
    return fx.app.request(String(input), init);
  }) as typeof fetch;
  mcp = protectMcpServer({
    server,
    resource: RESOURCE,
    scopesSupported: ['crm:read', 'crm:write'],
    organizations: [ORG],
    issuer: fx.ctx.options.issuer,
    clock: fx.clock,
    introspection: { clientId: 'resource-server', clientSecret: SECRET, revocationStream: false, cacheTtlMs: 60_000, fetch: introspectAtGatehouse },
  });
});

afterEach(async () => {
  await mcp.close();
  await fx.close();
});

let id = 1;
async function toolsList(token: string): Promise<string[]> {
  const response = await mcp.fetch(
    new Request(RESOURCE, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/list', params: {} }),
    }),
  );
  expect(response.status).toBe(200);
  const body = (await response.json()) as { result: { tools: { name: string }[] } };
  return body.result.tools.map((tool) => tool.name).sort();
}

describe('time-boxed scopes at the resource server', () => {
  it("an expiring scope disappears from the SDK's tools/list when it ends, without any refresh", async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read', 'crm:write'] });
    const access = (await redeem(fx, issued)).body.access_token!;
    // `gatehouse grants limit <grant> --scope crm:write --for …`, as stored.
    await fx.store.grants.setLifetime(issued.grantId, { expiresAt: null, scopeExpiresAt: { 'crm:write': fx.clock.now() + 30_000 } }, fx.clock.now());
    expect(await toolsList(access)).toEqual(['read_accounts', 'update_account']);
    fx.clock.advance(29_000);
    expect(await toolsList(access)).toEqual(['read_accounts', 'update_account']);
    expect(calls).toBe(1); // served from the SDK's cache until the end
    fx.clock.advance(1_000);
    expect(await toolsList(access)).toEqual(['read_accounts']);
  });

  it("an operator's time box reaches the SDK's cache through the revocation stream: the user's cached answers are dropped", () => {
    const cache = new TokenCache();
    cache.set('h1', { subject: ALICE, kind: 'user', orgId: ORG, roles: [], permissions: [], scopes: ['crm:write'], clientId: 'public-app', expiresAt: Infinity }, Infinity);
    const message = toRevocationMessage({ type: 'grant.limited', grantId: 'grt_1', userId: ALICE, orgId: ORG, clientId: 'public-app', scopes: ['crm:write'], until: 1, at: 0 });
    expect(message).toBeDefined();
    cache.apply(message!);
    expect(cache.get('h1', 0)).toBeUndefined();
  });
});
