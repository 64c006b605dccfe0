import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RESOURCE, rpc } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import {
  forOperations,
  GatedMcpServer,
  POLICY_DENIED,
  protectMcpServer,
  requireScopes,
  resourceOwnership,
  tenantIsolation,
  type DecisionRecord,
  type Principal,
  type ProtectedMcp,
} from '../src/index.ts';

const OWNERS: Record<string, string> = { 'doc-1': 'usr_alice', 'doc-2': 'usr_bob' };
let as: FakeAuthorizationServer;
let mcp: ProtectedMcp;
let ran: string[];
let decisions: DecisionRecord[];
let failAudit = false;

beforeAll(async () => {
  as = await startFakeAuthorizationServer();
  const server = new GatedMcpServer({ name: 'policy', version: '1' });
  const handler = (name: string) => async () => {
    ran.push(name);
    return { content: [{ type: 'text' as const, text: name }] };
  };
  server.registerTool('org_report', { requires: requireScopes('reports:read'), inputSchema: { orgId: z.string() } }, handler('org_report'));
  server.registerTool(
    'read_doc',
    { requires: requireScopes('reports:read'), inputSchema: { docId: z.string() }, policy: resourceOwnership({ argument: 'docId', ownerOf: (id) => OWNERS[id], bypassRoles: ['Management'] }) },
    handler('read_doc'),
  );
  server.registerTool('night_job', { inputSchema: {} }, handler('night_job'));
  mcp = protectMcpServer({
    server,
    issuer: as.issuer,
    resource: RESOURCE,
    scopesSupported: ['reports:read'],
    organizations: ['org_acme'],
    introspection: { ...INTROSPECTION_CLIENT, revocationStream: false },
    policy: (principal, operation, context) => {
      if (operation.name === 'night_job' && new Date(context.time).getUTCHours() < 22) return { allow: false, reason: 'night_job runs only after 22:00 UTC' };
      return forOperations(['org_report'], tenantIsolation({ argument: 'orgId', required: true }))(principal, operation, context);
    },
    onDecision: (record) => {
      if (failAudit) throw new Error('audit store down');
      decisions.push(record);
    },
    clock: { now: () => Date.UTC(2026, 10, 23, 12, 0, 0) },
  });
});
beforeEach(() => {
  ran = [];
  decisions = [];
  failAudit = false;
  as.tokens.set('alice', activeToken(as.issuer, { scope: 'reports:read', sub: 'usr_alice', org_id: 'org_acme', users_org_roles: ['Support'] }));
  as.tokens.set('boss', activeToken(as.issuer, { scope: 'reports:read', sub: 'usr_boss', org_id: 'org_acme', users_org_roles: ['Management'] }));
});
afterAll(async () => {
  await mcp.close();
  await as.stop();
});

const call = (token: string, name: string, args: Record<string, unknown>) => rpc(mcp, 'tools/call', { name, arguments: args }, token, { 'user-agent': 'policy-test/1.0' });

describe('Runtime policy (seed 004): the server decides each call from current context', () => {
  it('denies with a JSON-RPC error carrying the reason, and the handler never runs', async () => {
    const response = await call('alice', 'night_job', {});
    expect(response.status).toBe(200);
    const body = (await response.json()) as { error: { code: number; message: string } };
    expect(body.error).toEqual({ code: POLICY_DENIED, message: 'Forbidden: night_job runs only after 22:00 UTC' });
    expect(ran).toEqual([]);
  });

  it('reports every decision to onDecision with principal, tool, arguments, scopes and request context', async () => {
    await call('alice', 'org_report', { orgId: 'org_acme' });
    await call('alice', 'org_report', { orgId: 'org_evil' });
    expect(decisions).toEqual([
      expect.objectContaining({
        tool: 'org_report',
        kind: 'tool',
        result: 'allow',
        reason: undefined,
        scopes: ['reports:read'],
        arguments: { orgId: 'org_acme' },
        clientId: 'client-1',
        userAgent: 'policy-test/1.0',
        at: Date.UTC(2026, 10, 23, 12),
      }),
      expect.objectContaining({ tool: 'org_report', result: 'deny', reason: "organization org_evil is not the caller's organization" }),
    ]);
    expect(decisions[0]!.principal).toEqual({ subject: 'usr_alice', kind: 'user', orgId: 'org_acme', roles: ['Support'] });
    expect(JSON.stringify(decisions)).not.toContain('"alice"');
  });

  it("withholds the result when the call's record cannot be written (no unaudited result leaves the server)", async () => {
    failAudit = true;
    const body = (await (await call('alice', 'org_report', { orgId: 'org_acme' })).json()) as { error: { code: number }; result?: unknown };
    expect(body.error.code).toBe(-32603);
    expect(body.result).toBeUndefined();
  });
});

describe('tenantIsolation({ argument: "orgId" })', () => {
  it("allows the caller's own organization", async () => {
    const body = (await (await call('alice', 'org_report', { orgId: 'org_acme' })).json()) as { result?: unknown };
    expect(body.result).toBeDefined();
    expect(ran).toEqual(['org_report']);
  });

  it("denies another organization's id", async () => {
    const body = (await (await call('alice', 'org_report', { orgId: 'org_other' })).json()) as { error: { message: string } };
    expect(body.error.message).toBe("Forbidden: organization org_other is not the caller's organization");
    expect(ran).toEqual([]);
  });

  it('denies a token that is not bound to any organization (the guard refuses it first: 401 invalid_token)', async () => {
    as.tokens.set('orgless', activeToken(as.issuer, { scope: 'reports:read', org_id: undefined }));
    const response = await call('orgless', 'org_report', { orgId: 'org_acme' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(ran).toEqual([]);
    const decision = await tenantIsolation({ argument: 'orgId' })(
      { orgId: null } as Principal,
      { kind: 'tool', name: 't', arguments: { orgId: 'org_acme' } },
      { time: 0, ip: undefined, userAgent: undefined, resource: RESOURCE },
    );
    expect(decision).toEqual({ allow: false, reason: 'the token is not bound to an organization' });
  });

  it('denies a missing argument when required', async () => {
    const decision = await tenantIsolation({ argument: 'orgId', required: true })(
      { orgId: 'o' } as Principal,
      { kind: 'tool', name: 't', arguments: {} },
      { time: 0, ip: undefined, userAgent: undefined, resource: RESOURCE },
    );
    expect(decision).toEqual({ allow: false, reason: 'argument orgId is required' });
  });
});

describe('resourceOwnership(...)', () => {
  it('lets the owner act on their resource', async () => {
    await call('alice', 'read_doc', { docId: 'doc-1' });
    expect(ran).toEqual(['read_doc']);
  });

  it("denies someone else's resource and an unknown one", async () => {
    const other = (await (await call('alice', 'read_doc', { docId: 'doc-2' })).json()) as { error: { message: string } };
    expect(other.error.message).toBe('Forbidden: docId doc-2 belongs to someone else');
    const unknown = (await (await call('alice', 'read_doc', { docId: 'doc-9' })).json()) as { error: { message: string } };
    expect(unknown.error.message).toBe('Forbidden: docId doc-9 was not found');
    expect(ran).toEqual([]);
  });

  it('lets a bypass role act on any resource, from CURRENT roles', async () => {
    await call('boss', 'read_doc', { docId: 'doc-2' });
    expect(ran).toEqual(['read_doc']);
  });
});
