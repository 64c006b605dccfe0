import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protect, RESOURCE } from './support/fixture.ts';
import { INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import type { ProtectedMcp } from '../src/index.ts';

let as: FakeAuthorizationServer;
let mcp: ProtectedMcp;
beforeAll(async () => {
  as = await startFakeAuthorizationServer();
  ({ mcp } = protect({ issuer: as.issuer, introspection: { ...INTROSPECTION_CLIENT, revocationStream: false } }));
});
afterAll(async () => {
  await mcp.close();
  await as.stop();
});

describe('RFC 9728 Protected Resource Metadata', () => {
  const expected = () => ({
    resource: RESOURCE,
    authorization_servers: [as.issuer],
    scopes_supported: ['tickets:read', 'ticket:write:update', 'finance:read:revenue', 'finance:read:all', 'employees:read:public'],
    bearer_methods_supported: ['header'],
    resource_name: 'Fixture tools',
  });

  it('serves the document at the path-inserted well-known URI (§3.1)', async () => {
    const response = await mcp.fetch(new Request('http://127.0.0.1:4001/.well-known/oauth-protected-resource/mcp'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual(expected());
  });

  it('serves the same document at the root well-known URI (MCP client fallback)', async () => {
    const response = await mcp.fetch(new Request('http://127.0.0.1:4001/.well-known/oauth-protected-resource'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expected());
  });

  it('never advertises offline_access (MCP: the RS SHOULD NOT)', async () => {
    const body = (await (await mcp.fetch(new Request('http://127.0.0.1:4001/.well-known/oauth-protected-resource/mcp'))).json()) as { scopes_supported: string[] };
    expect(body.scopes_supported).not.toContain('offline_access');
  });

  it('lets browser-based clients read it (CORS)', async () => {
    const response = await mcp.fetch(new Request('http://127.0.0.1:4001/.well-known/oauth-protected-resource/mcp', { headers: { origin: 'https://app.example' } }));
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('refuses to change it (405 for POST)', async () => {
    const response = await mcp.fetch(new Request('http://127.0.0.1:4001/.well-known/oauth-protected-resource/mcp', { method: 'POST' }));
    expect(response.status).toBe(405);
  });

  it('advertises the path-inserted URL in resource_metadata', () => {
    expect(mcp.metadataUrl).toBe('http://127.0.0.1:4001/.well-known/oauth-protected-resource/mcp');
  });
});
