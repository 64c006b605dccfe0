import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { protect, RESOURCE } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import type { ProtectedMcp } from '../src/index.ts';

let as: FakeAuthorizationServer;
let mcp: ProtectedMcp;
let app: Hono;
beforeAll(async () => {
  as = await startFakeAuthorizationServer();
  ({ mcp } = protect({ issuer: as.issuer, introspection: { ...INTROSPECTION_CLIENT, revocationStream: false } }));
  app = new Hono();
  app.get('/health', (c) => c.json({ ok: true }));
  app.all('/mcp', (c) => mcp.fetch(c.req.raw));
  app.get('/.well-known/oauth-protected-resource/*', (c) => mcp.fetch(c.req.raw));
  app.get('/.well-known/oauth-protected-resource', (c) => mcp.fetch(c.req.raw));
});
afterAll(async () => {
  await mcp.close();
  await as.stop();
});

describe('Wiring on web-standard Request/Response (Hono)', () => {
  it('serves PRM and a protected tools/call through a Hono app', async () => {
    as.tokens.set('hono-token', activeToken(as.issuer, { scope: 'tickets:read' }));
    expect((await app.request('http://127.0.0.1:4001/.well-known/oauth-protected-resource/mcp')).status).toBe(200);
    const response = await app.request(RESOURCE, {
      method: 'POST',
      headers: { authorization: 'Bearer hono-token', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tickets', arguments: {} } }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'tickets for usr_alice' }] } });
    expect((await app.request('http://127.0.0.1:4001/health')).status).toBe(200);
  });
});
