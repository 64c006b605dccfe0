import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type buildServer, protect, rpc, SCOPES, RESOURCE, toolNames } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import { GatedMcpServer, protectMcpServer, requireScopes, type ProtectedMcp } from '../src/index.ts';

const PRM = 'http://127.0.0.1:4001/.well-known/oauth-protected-resource/mcp';
let as: FakeAuthorizationServer;
let mcp: ProtectedMcp;
let spies: ReturnType<typeof buildServer>['spies'];
beforeAll(async () => {
  as = await startFakeAuthorizationServer();
  ({ mcp, spies } = protect({ issuer: as.issuer, introspection: { ...INTROSPECTION_CLIENT, revocationStream: false } }));
});
beforeEach(() => {
  for (const spy of Object.values(spies)) spy.mockClear();
  as.tokens.set('reader', activeToken(as.issuer, { scope: 'tickets:read' }));
  as.tokens.set('writer', activeToken(as.issuer, { scope: 'tickets:read ticket:write:update' }));
  as.tokens.set('finance-all', activeToken(as.issuer, { scope: 'finance:read:all' }));
  as.tokens.set('nothing', activeToken(as.issuer, { scope: '' }));
});
afterAll(async () => {
  await mcp.close();
  await as.stop();
});

describe('Per-tool scopes: discovery shows only what the caller may use', () => {
  it("lists only the tools the token's scopes allow", async () => {
    expect(await toolNames(await rpc(mcp, 'tools/list', {}, 'reader'))).toEqual(['list_tickets', 'whoami']);
    expect(await toolNames(await rpc(mcp, 'tools/list', {}, 'writer'))).toEqual(['list_tickets', 'update_ticket', 'whoami']);
  });

  it('honours anyOf: either finance scope reveals the revenue tool', async () => {
    expect(await toolNames(await rpc(mcp, 'tools/list', {}, 'finance-all'))).toEqual(['revenue_report', 'whoami']);
  });

  it('lets a token with no scopes connect and see only unrestricted tools (required_scopes empty)', async () => {
    expect(await toolNames(await rpc(mcp, 'tools/list', {}, 'nothing'))).toEqual(['whoami']);
  });

  it('filters resources, resource templates and prompts the same way', async () => {
    const resources = (await (await rpc(mcp, 'resources/list', {}, 'reader')).json()) as { result: { resources: unknown[] } };
    expect(resources.result.resources).toEqual([]);
    const templates = (await (await rpc(mcp, 'resources/templates/list', {}, 'finance-all')).json()) as { result: { resourceTemplates: unknown[] } };
    expect(templates.result.resourceTemplates).toEqual([]);
    const prompts = (await (await rpc(mcp, 'prompts/list', {}, 'reader')).json()) as { result: { prompts: { name: string }[] } };
    expect(prompts.result.prompts.map((p) => p.name)).toEqual(['summarise_tickets']);
    const none = (await (await rpc(mcp, 'prompts/list', {}, 'nothing')).json()) as { result: { prompts: unknown[] } };
    expect(none.result.prompts).toEqual([]);
  });
});

describe('Per-tool scopes: calling a forbidden operation (MCP scope challenge, 403 insufficient_scope)', () => {
  it('answers 403 with every scope the tool needs and never runs the handler', async () => {
    const response = await rpc(mcp, 'tools/call', { name: 'update_ticket', arguments: { ticketId: 't1' } }, 'reader');
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="tickets:read ticket:write:update", resource_metadata="${PRM}"`);
    expect(spies.updateTicket).not.toHaveBeenCalled();
  });

  it('names the closest anyOf alternative in the challenge', async () => {
    const response = await rpc(mcp, 'tools/call', { name: 'revenue_report', arguments: {} }, 'reader');
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('scope="finance:read:revenue"');
    expect(spies.revenue).not.toHaveBeenCalled();
  });

  it('runs the handler once the scopes are there (step-up succeeded)', async () => {
    const response = await rpc(mcp, 'tools/call', { name: 'update_ticket', arguments: { ticketId: 't1' } }, 'writer');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { content: [{ type: 'text', text: 'updated' }] } });
    expect(spies.updateTicket).toHaveBeenCalledTimes(1);
  });

  it('guards resources/read through a template and prompts/get', async () => {
    const read = await rpc(mcp, 'resources/read', { uri: 'reports://2026' }, 'reader');
    expect(read.status).toBe(403);
    expect(read.headers.get('www-authenticate')).toContain('scope="finance:read:revenue"');
    expect(spies.readReport).not.toHaveBeenCalled();
    const prompt = await rpc(mcp, 'prompts/get', { name: 'summarise_tickets' }, 'nothing');
    expect(prompt.status).toBe(403);
    expect(spies.prompt).not.toHaveBeenCalled();
  });

  it('gates a resource URI written differently (case-folded scheme) exactly like the SDK resolves it', async () => {
    const read = await rpc(mcp, 'resources/read', { uri: 'REPORTS://2026' }, 'reader');
    expect(read.status).toBe(403);
    expect(spies.readReport).not.toHaveBeenCalled();
  });

  it('refuses a batch that smuggles a forbidden call beside an allowed one, running neither (batches: 400 before any check)', async () => {
    const response = await mcp.fetch(
      new Request(RESOURCE, {
        method: 'POST',
        headers: { authorization: 'Bearer reader', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify([
          { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tickets', arguments: {} } },
          { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'update_ticket', arguments: { ticketId: 't1' } } },
        ]),
      }),
    );
    expect(response.status).toBe(400);
    expect(spies.listTickets).not.toHaveBeenCalled();
    expect(spies.updateTicket).not.toHaveBeenCalled();
  });
});

describe('MCP 2026-07-28 routing headers must match the body', () => {
  it('refuses an Mcp-Name naming an allowed tool while the body calls another (400, -32020)', async () => {
    const response = await rpc(mcp, 'tools/call', { name: 'update_ticket', arguments: { ticketId: 't1' } }, 'writer', { 'mcp-method': 'tools/call', 'mcp-name': 'list_tickets' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32020 } });
    expect(spies.updateTicket).not.toHaveBeenCalled();
  });

  it("refuses an Mcp-Method that differs from the body's method", async () => {
    const response = await rpc(mcp, 'tools/call', { name: 'list_tickets', arguments: {} }, 'reader', { 'mcp-method': 'tools/list' });
    expect(response.status).toBe(400);
    expect(spies.listTickets).not.toHaveBeenCalled();
  });

  it('accepts matching headers', async () => {
    const response = await rpc(mcp, 'tools/call', { name: 'list_tickets', arguments: {} }, 'reader', { 'mcp-method': 'tools/call', 'mcp-name': 'list_tickets' });
    expect(response.status).toBe(200);
  });
});

describe('No token passthrough (MCP Security Best Practices)', () => {
  it('gives handlers the verified principal and never the bearer token', async () => {
    const response = await rpc(mcp, 'tools/call', { name: 'whoami', arguments: {} }, 'writer');
    const body = (await response.json()) as { result: { content: { text: string }[] } };
    const seen = JSON.parse(body.result.content[0]!.text) as { principal: Record<string, unknown>; token: string };
    expect(seen.token).toBe('');
    expect(JSON.stringify(seen)).not.toContain('writer');
    expect(seen.principal).toMatchObject({ subject: 'usr_alice', kind: 'user', orgId: 'org_acme', roles: ['Support'], permissions: ['tickets:view'], clientId: 'client-1' });
    expect(seen.principal.scopes).toEqual(['tickets:read', 'ticket:write:update']);
  });
});

describe('Startup validation', () => {
  const base = { issuer: 'http://127.0.0.1:4000', resource: RESOURCE, introspection: { clientId: 'a', clientSecret: 'b', revocationStream: false as const } };

  it('refuses a tool requirement that is not in scopes_supported', () => {
    const server = new GatedMcpServer({ name: 'x', version: '1' });
    server.registerTool('t', { requires: requireScopes('tickets:delete'), inputSchema: { id: z.string() } }, async () => ({ content: [] }));
    expect(() => protectMcpServer({ ...base, server, scopesSupported: SCOPES })).toThrow(/tool t requires tickets:delete, which is not in scopes_supported/);
  });

  it('refuses a root required scope that is not in scopes_supported', () => {
    const server = new GatedMcpServer({ name: 'x', version: '1' });
    expect(() => protectMcpServer({ ...base, server, scopesSupported: ['a:b'], requiredScopes: ['c:d'] })).toThrow(/c:d/);
  });

  it('refuses a resource URI with a fragment and a server without a verifier', () => {
    const server = new GatedMcpServer({ name: 'x', version: '1' });
    expect(() => protectMcpServer({ ...base, server, scopesSupported: [], resource: 'http://127.0.0.1:4001/mcp#x' })).toThrow(/resource/);
    expect(() => protectMcpServer({ issuer: base.issuer, resource: RESOURCE, server, scopesSupported: [] })).toThrow(/introspection, jwt or a verifier/);
  });

  it('refuses to register the same tool twice', () => {
    const server = new GatedMcpServer({ name: 'x', version: '1' });
    server.registerTool('t', {}, async () => ({ content: [] }));
    expect(() => server.registerTool('t', {}, async () => ({ content: [] }))).toThrow(/already registered/);
  });
});
