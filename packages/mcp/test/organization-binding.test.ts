/**
 * Outside attack, issue 10 (defence in depth): the SDK is configured with
 * the organizations its server serves and refuses a token of any other org,
 * even one the authorization server vouches for, before any tool runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, protect, RESOURCE, rpc, SCOPES } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import { protectMcpServer, type ProtectedMcp } from '../src/index.ts';

let as: FakeAuthorizationServer;
const opened: ProtectedMcp[] = [];
const track = <T extends { mcp: ProtectedMcp }>(value: T): T => (opened.push(value.mcp), value);

beforeAll(async () => {
  as = await startFakeAuthorizationServer();
  as.tokens.set('acme-manager', activeToken(as.issuer, { scope: 'finance:read:revenue', org_id: 'org_acme', users_org_roles: ['Management'] }));
  as.tokens.set('globex-manager', activeToken(as.issuer, { scope: 'finance:read:revenue', org_id: 'org_globex', users_org_roles: ['Management'] }));
  as.tokens.set('orgless', activeToken(as.issuer, { scope: 'finance:read:revenue', org_id: undefined }));
  as.tokens.set('globex-reader', activeToken(as.issuer, { scope: 'tickets:read', org_id: 'org_globex' }));
});
afterAll(async () => {
  await Promise.all(opened.map((mcp) => mcp.close()));
  await as.stop();
});

const introspection = { ...INTROSPECTION_CLIENT, revocationStream: false as const };
const revenue = (mcp: ProtectedMcp, token: string) => rpc(mcp, 'tools/call', { name: 'revenue_report', arguments: {} }, token);

describe('Organizations bound resources: the SDK refuses a token of an org the server does not serve', () => {
  it('a Management token of another org gets 401 invalid_token and revenue_report never runs', async () => {
    const { mcp, spies } = track(protect({ issuer: as.issuer, organizations: ['org_acme'], introspection }));
    const response = await revenue(mcp, 'globex-manager');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(response.headers.get('www-authenticate')).toContain('resource_metadata=');
    expect(await response.json()).toEqual({ error: 'invalid_token', error_description: 'The access token is for an organization this server does not serve' });
    expect(spies.revenue).not.toHaveBeenCalled();
  });

  it('a token bound to no organization gets 401 invalid_token', async () => {
    const { mcp, spies } = track(protect({ issuer: as.issuer, organizations: ['org_acme'], introspection }));
    expect((await revenue(mcp, 'orgless')).status).toBe(401);
    expect(spies.revenue).not.toHaveBeenCalled();
  });

  it('a token of a served org is let through', async () => {
    const { mcp, spies } = track(protect({ issuer: as.issuer, organizations: ['org_acme'], introspection }));
    const response = await revenue(mcp, 'acme-manager');
    expect(response.status).toBe(200);
    expect(spies.revenue).toHaveBeenCalledOnce();
  });
});

describe('Multi-tenant servers isolate tenants through the policy hook', () => {
  it('accepts every org but refuses a call naming another tenant (tenantIsolation runs first)', async () => {
    const { mcp, spies } = track(protect({ issuer: as.issuer, organizations: undefined, multiTenant: { argument: 'orgId' }, introspection }));
    const own = await rpc(mcp, 'tools/call', { name: 'list_tickets', arguments: { orgId: 'org_globex' } }, 'globex-reader');
    expect(((await own.json()) as { result?: unknown }).result).toBeDefined();
    const foreign = await rpc(mcp, 'tools/call', { name: 'list_tickets', arguments: { orgId: 'org_acme' } }, 'globex-reader');
    expect(((await foreign.json()) as { error: { message: string } }).error.message).toBe("Forbidden: organization org_acme is not the caller's organization");
    expect(spies.listTickets).toHaveBeenCalledOnce();
  });

  it('still refuses a token bound to no organization', async () => {
    const { mcp } = track(protect({ issuer: as.issuer, organizations: undefined, multiTenant: { argument: 'orgId' }, introspection }));
    expect((await revenue(mcp, 'orgless')).status).toBe(401);
  });
});

describe('Startup validation: a server must say which orgs it serves', () => {
  const base = { issuer: 'http://127.0.0.1:4000', resource: RESOURCE, scopesSupported: SCOPES, introspection };

  it('refuses a server that names neither organizations nor multiTenant', () => {
    expect(() => protectMcpServer({ ...base, server: buildServer().server })).toThrow(/configure organizations/);
    expect(() => protectMcpServer({ ...base, server: buildServer().server, organizations: [] })).toThrow(/configure organizations/);
  });

  it('refuses a server that names both', () => {
    expect(() => protectMcpServer({ ...base, server: buildServer().server, organizations: ['org_acme'], multiTenant: { argument: 'orgId' } })).toThrow(/not both/);
  });
});
