import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { protect, rpc, RESOURCE } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import type { ProtectedMcp } from '../src/index.ts';

const PRM = 'http://127.0.0.1:4001/.well-known/oauth-protected-resource/mcp';
let as: FakeAuthorizationServer;
let mcp: ProtectedMcp;
beforeAll(async () => {
  as = await startFakeAuthorizationServer();
  ({ mcp } = protect({ issuer: as.issuer, introspection: { ...INTROSPECTION_CLIENT, revocationStream: false } }));
});
beforeEach(() => {
  as.tokens.clear();
  as.tokens.set('good-token', activeToken(as.issuer, { scope: 'tickets:read' }));
});
afterAll(async () => {
  await mcp.close();
  await as.stop();
});

describe('MCP authorization: 401 challenge when no valid token is sent (RFC 6750 §3, RFC 9728 §5.1)', () => {
  it('answers a request without a token with resource_metadata and the scopes to ask for', async () => {
    const response = await rpc(mcp, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer scope="tickets:read ticket:write:update finance:read:revenue finance:read:all employees:read:public", resource_metadata="${PRM}"`);
  });

  it('asks for exactly what an operation needs when the request names one', async () => {
    const response = await rpc(mcp, 'tools/call', { name: 'update_ticket', arguments: { ticketId: 't1' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer scope="tickets:read ticket:write:update", resource_metadata="${PRM}"`);
  });

  it('adds error="invalid_token" when the token sent is unknown', async () => {
    const response = await rpc(mcp, 'tools/list', {}, 'unknown-token');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(
      /^Bearer error="invalid_token", scope="[^"]+", resource_metadata="http:\/\/127\.0\.0\.1:4001\/\.well-known\/oauth-protected-resource\/mcp"$/,
    );
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('treats another auth scheme as no bearer token (401 without error)', async () => {
    const response = await mcp.fetch(new Request(RESOURCE, { method: 'POST', headers: { authorization: 'Basic dXNlcjpwdw==', 'content-type': 'application/json' }, body: '{}' }));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).not.toContain('error=');
  });
});

describe('MCP authorization: token audience (RFC 8707, OAuth 2.1 §5.2)', () => {
  it('rejects a token issued for another resource with 401 invalid_token', async () => {
    as.tokens.set('other-aud', activeToken(as.issuer, { aud: 'http://127.0.0.1:4002/mcp' }));
    const response = await rpc(mcp, 'tools/list', {}, 'other-aud');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('rejects a token with no audience at all', async () => {
    const { aud: _aud, ...noAud } = activeToken(as.issuer);
    as.tokens.set('no-aud', noAud);
    expect((await rpc(mcp, 'tools/list', {}, 'no-aud')).status).toBe(401);
  });

  it('accepts the same resource written differently (canonical compare: case, trailing slash)', async () => {
    as.tokens.set('upper', activeToken(as.issuer, { aud: 'HTTP://127.0.0.1:4001/mcp' }));
    expect((await rpc(mcp, 'tools/list', {}, 'upper')).status).toBe(200);
  });

  it('rejects a token from another issuer, an expired one and a refresh token', async () => {
    as.tokens.set('foreign-iss', activeToken(as.issuer, { iss: 'https://evil.example' }));
    as.tokens.set('expired', activeToken(as.issuer, { exp: Math.floor(Date.now() / 1000) - 10 }));
    as.tokens.set('refresh', activeToken(as.issuer, { token_type: 'refresh_token' }));
    for (const token of ['foreign-iss', 'expired', 'refresh']) expect((await rpc(mcp, 'tools/list', {}, token)).status).toBe(401);
  });
});

describe('MCP authorization: malformed requests get 400 (RFC 6750 §3.1 invalid_request)', () => {
  it('rejects an access token in the query string even alongside a valid header', async () => {
    const response = await mcp.fetch(
      new Request(`${RESOURCE}?access_token=good-token`, {
        method: 'POST',
        headers: { authorization: 'Bearer good-token', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"');
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('rejects an access token in the query string alone without introspecting it', async () => {
    const before = as.introspectionCalls;
    const response = await mcp.fetch(new Request(`${RESOURCE}?access_token=good-token`, { method: 'POST', body: '{}' }));
    expect(response.status).toBe(400);
    expect(as.introspectionCalls).toBe(before);
  });

  it('rejects a Bearer header with an empty or non-b64token credential', async () => {
    for (const header of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer "quoted"']) {
      const response = await mcp.fetch(new Request(RESOURCE, { method: 'POST', headers: { authorization: header }, body: '{}' }));
      expect(response.status, header).toBe(400);
    }
  });

  it('answers a non-JSON body from an authenticated caller with a JSON-RPC parse error', async () => {
    const response = await mcp.fetch(new Request(RESOURCE, { method: 'POST', headers: { authorization: 'Bearer good-token', 'content-type': 'application/json' }, body: '{not json' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32700 } });
  });

  it('refuses a body over the size cap with 413', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(1_100_000) } });
    const response = await mcp.fetch(new Request(RESOURCE, { method: 'POST', headers: { authorization: 'Bearer good-token', 'content-type': 'application/json' }, body: big }));
    expect(response.status).toBe(413);
  });
});

describe('MCP authorization: server-wide required scopes', () => {
  it('answers 403 insufficient_scope naming the root scopes when the token lacks them', async () => {
    const { mcp: strict } = protect({ issuer: as.issuer, requiredScopes: ['employees:read:public'], introspection: { ...INTROSPECTION_CLIENT, revocationStream: false } });
    const response = await rpc(strict, 'tools/list', {}, 'good-token');
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="employees:read:public", resource_metadata="${PRM}"`);
    await strict.close();
  });
});

describe('Streamable HTTP Origin validation (DNS rebinding)', () => {
  const post = (origin: string) =>
    mcp.fetch(
      new Request(RESOURCE, {
        method: 'POST',
        headers: { origin, authorization: 'Bearer good-token', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      }),
    );

  it('answers a foreign Origin with 403 before looking at the token', async () => {
    const before = as.introspectionCalls;
    expect((await post('http://attacker.example')).status).toBe(403);
    expect(as.introspectionCalls).toBe(before);
  });

  it("accepts the resource's own origin", async () => {
    expect((await post('http://127.0.0.1:4001')).status).toBe(200);
  });
});

describe('Stateless Streamable HTTP', () => {
  it('answers an authenticated GET (no standalone SSE stream) with 405', async () => {
    const response = await mcp.fetch(new Request(RESOURCE, { headers: { authorization: 'Bearer good-token', accept: 'text/event-stream' } }));
    expect(response.status).toBe(405);
  });

  it('still demands a token before saying anything about GET', async () => {
    expect((await mcp.fetch(new Request(RESOURCE))).status).toBe(401);
  });
});
