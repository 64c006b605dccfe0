import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { buildServer, SCOPES } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import { protectMcpServer, toNodeListener, type ProtectedMcp } from '../src/index.ts';

let as: FakeAuthorizationServer;
const servers: Server[] = [];
const protectedServers: ProtectedMcp[] = [];

async function listen(make: (mcp: ProtectedMcp) => Server | ((req: never, res: never) => void)): Promise<string> {
  // The resource URI needs the port, so bind first and attach the handler after.
  const holder: { handler?: (req: never, res: never) => void } = {};
  const server = createServer((req, res) => holder.handler?.(req as never, res as never));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { server: gated } = buildServer();
  const mcp = protectMcpServer({
    server: gated,
    issuer: as.issuer,
    resource: `${base}/mcp`,
    scopesSupported: SCOPES,
    organizations: ['org_acme'],
    introspection: { ...INTROSPECTION_CLIENT, revocationStream: false },
  });
  protectedServers.push(mcp);
  holder.handler = make(mcp) as (req: never, res: never) => void;
  return base;
}

async function connect(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

beforeAll(async () => {
  as = await startFakeAuthorizationServer();
});
afterAll(async () => {
  for (const mcp of protectedServers) await mcp.close();
  for (const server of servers) server.close();
  await as.stop();
});

describe('Wiring on Node: node:http and Express 5, with the official MCP client', () => {
  it('serves a protected McpServer from a bare node:http listener', async () => {
    const base = await listen((mcp) => toNodeListener(mcp) as never);
    as.tokens.set('node-token', activeToken(as.issuer, { aud: `${base}/mcp`, scope: 'tickets:read' }));
    const client = await connect(`${base}/mcp`, 'node-token');
    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name).sort()).toEqual(['list_tickets', 'whoami']);
    const result = await client.callTool({ name: 'list_tickets', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'tickets for usr_alice' }]);
    await client.close();
    const prm = await fetch(`${base}/.well-known/oauth-protected-resource/mcp`);
    expect(((await prm.json()) as { resource: string }).resource).toBe(`${base}/mcp`);
  });

  it('works as Express middleware behind express.json() and passes other routes on', async () => {
    const base = await listen((mcp) => {
      const app = express();
      app.use(express.json());
      app.use(toNodeListener(mcp));
      app.get('/health', (_req, res) => void res.json({ ok: true }));
      return app as never;
    });
    as.tokens.set('express-token', activeToken(as.issuer, { aud: `${base}/mcp`, scope: 'tickets:read ticket:write:update' }));
    const client = await connect(`${base}/mcp`, 'express-token');
    const result = await client.callTool({ name: 'update_ticket', arguments: { ticketId: 't-7' } });
    expect(result.content).toEqual([{ type: 'text', text: 'updated' }]);
    await client.close();
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ ok: true });
    const anonymous = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain(`resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`);
  });

  it('surfaces a scope challenge to the official client as an error, the handler never running', async () => {
    const base = await listen((mcp) => toNodeListener(mcp) as never);
    as.tokens.set('narrow', activeToken(as.issuer, { aud: `${base}/mcp`, scope: 'tickets:read' }));
    const client = await connect(`${base}/mcp`, 'narrow');
    await expect(client.callTool({ name: 'update_ticket', arguments: { ticketId: 't-7' } })).rejects.toThrow(/403|insufficient_scope|Forbidden/i);
    await client.close();
  });
});
