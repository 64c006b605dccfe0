/**
 * Security catalogue lines whose outcome is seen at the resource server:
 * code replay ("the RS returns 401"), resource/audience confusion between
 * two MCP servers, and the 401/403 challenges, checked with Gatehouse's own
 * resource-server SDK (@gatehouse-auth/mcp) introspecting real tokens from the
 * real authorization server (in process: the SDK's fetch is routed to the
 * AS app, so nothing is faked on either side).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatedMcpServer, protectMcpServer, requireScopes, type ProtectedMcp } from '@gatehouse-auth/mcp';
import { basic, createFixture, introspect, issueCode, ORG, OTHER_RESOURCE, redeem, RESOURCE, SECRET, token, type Fixture } from '../token/fixture.ts';

let fx: Fixture;
let rsA: ProtectedMcp;
let rsB: ProtectedMcp;

/** An MCP server at `resource` that trusts the fixture AS, with a crm:read tool and a crm:export tool. */
function resourceServer(resource: string): ProtectedMcp {
  const server = new GatedMcpServer({ name: 'crm', version: '1.0.0' });
  server.registerTool('list_accounts', { description: 'List accounts', requires: requireScopes('crm:read') }, async () => ({ content: [{ type: 'text', text: 'accounts' }] }));
  server.registerTool('export_accounts', { description: 'Export accounts', requires: requireScopes('crm:read', 'crm:export') }, async () => ({ content: [{ type: 'text', text: 'exported' }] }));
  return protectMcpServer({
    server,
    issuer: fx.ctx.options.issuer,
    resource,
    scopesSupported: ['crm:read', 'crm:write', 'crm:export'],
    organizations: [ORG],
    clock: fx.clock,
    introspection: {
      clientId: 'resource-server',
      clientSecret: SECRET,
      revocationStream: false,
      fetch: (input, init) => Promise.resolve(fx.app.request(input instanceof Request ? input : String(input), init)),
    },
  });
}

let nextId = 1;
function call(rs: ProtectedMcp, resource: string, accessToken: string | undefined, method: string, params: Record<string, unknown> = {}): Promise<Response> {
  return rs.fetch(
    new Request(resource, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}) },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
    }),
  );
}
const listTools = (rs: ProtectedMcp, resource: string, accessToken?: string) => call(rs, resource, accessToken, 'tools/list');
const metadataUrl = (resource: string) => `${new URL(resource).origin}/.well-known/oauth-protected-resource${new URL(resource).pathname}`;

beforeEach(async () => {
  fx = await createFixture();
  rsA = resourceServer(RESOURCE);
  rsB = resourceServer(OTHER_RESOURCE);
});
afterEach(async () => {
  await rsA.close();
  await rsB.close();
  await fx.close();
});

describe('RFC 6749 §4.1.2 code replay, seen at the resource server', () => {
  it('revokes the tokens of the first redemption: the RS that accepted them now answers 401 invalid_token', async () => {
    const issued = await issueCode(fx, { scopes: ['crm:read'] });
    const first = await redeem(fx, issued);
    expect(first.status).toBe(200);
    expect((await listTools(rsA, RESOURCE, first.body.access_token)).status).toBe(200);
    const replay = await redeem(fx, issued);
    expect(replay.body.error).toBe('invalid_grant');
    // Past the SDK's default 5 s introspection cache (no revocation stream here).
    fx.clock.advance(5_001);
    const after = await listTools(rsA, RESOURCE, first.body.access_token);
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});

describe('RFC 8707 / MCP resource and audience confusion', () => {
  it('refuses at RS-B, with 401, a token the AS issued for RS-A', async () => {
    const { body } = await redeem(fx, await issueCode(fx, { scopes: ['crm:read'] }));
    expect((await listTools(rsA, RESOURCE, body.access_token)).status).toBe(200);
    const atB = await listTools(rsB, OTHER_RESOURCE, body.access_token);
    expect(atB.status).toBe(401);
    expect(atB.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('never mints a token with no audience: a token request without resource gets invalid_target', async () => {
    // The RS side (a token without aud -> 401) is packages/mcp/test/bearer-challenges.test.ts.
    const agent = await token(fx, { grant_type: 'client_credentials', scope: 'crm:read' }, basic('agent'));
    expect(agent.status).toBe(400);
    expect(agent.body.error).toBe('invalid_target');
    expect(agent.body.access_token).toBeUndefined();
    const issued = await issueCode(fx, { scopes: ['crm:read'] });
    const withoutResource = await token(fx, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: 'http://127.0.0.1/cb', client_id: 'public-app' });
    // A code is bound to the resource of its authorization request, so the token carries that audience.
    expect(withoutResource.status).toBe(200);
    expect(await introspect(fx, withoutResource.body.access_token!)).toMatchObject({ active: true, aud: RESOURCE });
  });

  it('answers 401 with WWW-Authenticate: Bearer resource_metadata=… when no token is sent', async () => {
    const response = await listTools(rsA, RESOURCE);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(new RegExp(`^Bearer .*resource_metadata="${metadataUrl(RESOURCE).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
  });

  it('answers 403 error="insufficient_scope", scope="…" to a valid token that lacks the tool\'s scope', async () => {
    const { body } = await redeem(fx, await issueCode(fx, { scopes: ['crm:read'] }));
    const response = await call(rsA, RESOURCE, body.access_token, 'tools/call', { name: 'export_accounts', arguments: {} });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", scope="crm:read crm:export"/);
  });
});
