import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RESOURCE, rpc } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import { allOf, GatedMcpServer, POLICY_DENIED, protectMcpServer, requireScopes, type DecisionRecord, type Operation, type ProtectedMcp } from '../src/index.ts';

let as: FakeAuthorizationServer;
let mcp: ProtectedMcp;
let ran: string[];
let decisions: DecisionRecord[];
let seen: Operation[];

beforeAll(async () => {
  as = await startFakeAuthorizationServer();
  const server = new GatedMcpServer({ name: 'basis', version: '1' });
  server.registerTool('export_salaries', { requires: requireScopes('reports:read'), inputSchema: { team: z.string() } }, async () => {
    ran.push('export_salaries');
    return { content: [{ type: 'text' as const, text: 'ok' }] };
  });
  server.registerTool('plain', { requires: requireScopes('reports:read'), inputSchema: {} }, async () => {
    ran.push('plain');
    return { content: [{ type: 'text' as const, text: 'ok' }] };
  });
  mcp = protectMcpServer({
    server,
    issuer: as.issuer,
    resource: RESOURCE,
    scopesSupported: ['reports:read'],
    organizations: ['org_acme'],
    introspection: { ...INTROSPECTION_CLIENT, revocationStream: false },
    policy: allOf(
      (_principal, operation) => {
        seen.push(operation);
        return { allow: true, policies: ['scope-baseline'], inputs: { 'principal.roles': ['HR'] } };
      },
      (_principal, operation) => {
        if (operation.name !== 'export_salaries') return { allow: true };
        const reason = operation.meta?.['io.gatehouse/reason'];
        return typeof reason === 'string'
          ? { allow: true, policies: ['needs-reason'], inputs: { 'context.reason': reason } }
          : { allow: false, reason: 'state a reason', policies: ['needs-reason'], inputs: {} };
      },
    ),
    onDecision: (record) => void decisions.push(record),
  });
});
beforeEach(() => {
  ran = [];
  decisions = [];
  seen = [];
  as.tokens.set('hana', activeToken(as.issuer, { scope: 'reports:read', sub: 'usr_hana', username: 'hana@acme.test', org_id: 'org_acme', users_org_roles: ['HR'] }));
});
afterAll(async () => {
  await mcp.close();
  await as.stop();
});

describe('Decision logs (issue 15 §2): each record names the determining policies and the inputs they read', () => {
  it("passes the request's _meta to the policy and records the allowing policies of every allOf member", async () => {
    const response = await rpc(mcp, 'tools/call', { name: 'export_salaries', arguments: { team: 'Platform' }, _meta: { 'io.gatehouse/reason': 'annual review' } }, 'hana');
    expect(((await response.json()) as { result?: unknown }).result).toBeDefined();
    expect(seen[0]?.meta).toEqual({ 'io.gatehouse/reason': 'annual review' });
    expect(ran).toEqual(['export_salaries']);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      result: 'allow',
      outcome: 'success',
      policies: ['scope-baseline', 'needs-reason'],
      policyInputs: { 'principal.roles': ['HR'], 'context.reason': 'annual review' },
    });
  });

  it('records the denying policy and its inputs, and the handler never runs', async () => {
    const response = await rpc(mcp, 'tools/call', { name: 'export_salaries', arguments: { team: 'Platform' } }, 'hana');
    expect(((await response.json()) as { error: { code: number; message: string } }).error).toEqual({ code: POLICY_DENIED, message: 'Forbidden: state a reason' });
    expect(ran).toEqual([]);
    expect(decisions[0]).toMatchObject({ result: 'deny', reason: 'state a reason', policies: ['needs-reason'], policyInputs: {} });
  });

  it('a policy that reports no basis adds none: the record has only what was reported', async () => {
    await rpc(mcp, 'tools/call', { name: 'plain', arguments: {} }, 'hana');
    expect(decisions[0]).toMatchObject({ result: 'allow', policies: ['scope-baseline'], policyInputs: { 'principal.roles': ['HR'] } });
  });
});
