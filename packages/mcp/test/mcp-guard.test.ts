import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, RESOURCE, SCOPES } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import { createMcpGuard, type McpGuard } from '../src/index.ts';

let as: FakeAuthorizationServer;
let guard: McpGuard;
beforeAll(async () => {
  as = await startFakeAuthorizationServer();
  as.tokens.set('reader', activeToken(as.issuer, { scope: 'tickets:read' }));
  guard = createMcpGuard({
    operations: buildServer().server.operations(),
    issuer: as.issuer,
    resource: RESOURCE,
    scopesSupported: SCOPES,
    organizations: ['org_acme'],
    introspection: { ...INTROSPECTION_CLIENT, revocationStream: false },
  });
});
afterAll(async () => {
  await guard.close();
  await as.stop();
});

const post = (body: unknown, token?: string) =>
  new Request(RESOURCE, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

describe('The guard alone, in front of any MCP endpoint (what a gateway forwards)', () => {
  it('hands over the verified principal and the parsed body, never the token', async () => {
    const message = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'list_tickets', arguments: {} } };
    const result = await guard.check(post(message, 'reader'));
    expect(result.kind).toBe('proceed');
    if (result.kind !== 'proceed') return;
    expect(result.body).toEqual(message);
    expect(result.principal.subject).toBe('usr_alice');
    expect(JSON.stringify(result)).not.toContain('reader');
  });

  it('answers itself whatever must not be forwarded: no token, a step-up, a query token', async () => {
    const noToken = await guard.check(post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    expect(noToken.kind === 'respond' && noToken.response.status).toBe(401);
    const stepUp = await guard.check(post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'update_ticket', arguments: { ticketId: 'x' } } }, 'reader'));
    expect(stepUp.kind === 'respond' && stepUp.response.status).toBe(403);
    const query = await guard.check(new Request(`${RESOURCE}?access_token=reader`, { method: 'POST', body: '{}' }));
    expect(query.kind === 'respond' && query.response.status).toBe(400);
  });
});
