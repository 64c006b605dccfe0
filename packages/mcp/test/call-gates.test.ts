/**
 * Call gates (call-gate.ts): after the scope check and the policy allowed a
 * call, a gate may answer it instead (a rate limit, a held approval). The
 * handler then never runs, the answer is what the client sees, and the
 * decision record says why; a gate that throws fails the call closed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RESOURCE, rpc } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';
import { GatedMcpServer, protectMcpServer, requireScopes, RUN, type CallGate, type CallGateInput, type DecisionRecord, type ProtectedMcp } from '../src/index.ts';

let as: FakeAuthorizationServer;
let mcp: ProtectedMcp;
let ran: string[];
let decisions: DecisionRecord[];
let seen: CallGateInput[];
let gates: Record<string, CallGate>;

beforeAll(async () => {
  as = await startFakeAuthorizationServer();
  const server = new GatedMcpServer({ name: 'gates', version: '1' });
  for (const name of ['plain', 'limited', 'held', 'broken']) {
    server.registerTool(name, { requires: requireScopes('reports:read') }, async () => {
      ran.push(name);
      return { content: [{ type: 'text' as const, text: name }] };
    });
  }
  mcp = protectMcpServer({
    server,
    issuer: as.issuer,
    resource: RESOURCE,
    scopesSupported: ['reports:read'],
    organizations: ['org_acme'],
    introspection: { ...INTROSPECTION_CLIENT, revocationStream: false },
    onDecision: (record) => void decisions.push(record),
    callGates: [
      async (input) => {
        seen.push(input);
        return gates[input.operation.name]?.(input) ?? RUN;
      },
    ],
  });
});
beforeEach(() => {
  ran = [];
  decisions = [];
  seen = [];
  gates = {
    limited: (input) => ({
      kind: 'answer',
      message: { jsonrpc: '2.0', id: input.request.id, error: { code: -32004, message: 'Rate limit exceeded', data: { retryAfter: 7 } } },
      reason: 'rate limited',
    }),
    held: (input) => ({ kind: 'answer', message: { jsonrpc: '2.0', id: input.request.id, result: { resultType: 'input_required', requestState: 'opaque' } }, reason: 'approval required' }),
    broken: () => {
      throw new Error('redis down');
    },
  };
  as.tokens.set('alice', activeToken(as.issuer, { scope: 'reports:read', sub: 'usr_alice', org_id: 'org_acme', users_org_roles: ['Support'] }));
});
afterAll(async () => {
  await mcp.close();
  await as.stop();
});

const call = async (name: string, params: Record<string, unknown> = {}) => (await rpc(mcp, 'tools/call', { name, arguments: { n: 1 }, ...params }, 'alice')).json() as Promise<Record<string, any>>;

describe('call gates', () => {
  it('run after the scope check and the policy, with the principal, the operation, the raw params and the verified token; a gate that lets it run changes nothing', async () => {
    const body = await call('plain', { requestState: 'echoed' });
    expect(body.result.content).toEqual([{ type: 'text', text: 'plain' }]);
    expect(ran).toEqual(['plain']);
    expect(seen[0]).toMatchObject({
      principal: { subject: 'usr_alice', orgId: 'org_acme' },
      operation: { kind: 'tool', name: 'plain', arguments: { n: 1 } },
      request: { method: 'tools/call', params: { requestState: 'echoed' } },
      token: 'alice',
    });
    expect(decisions).toEqual([expect.objectContaining({ tool: 'plain', result: 'allow' })]);
  });

  it("answer with the gate's JSON-RPC error (a retry hint survives), record a denial with the gate's reason, and never run the handler", async () => {
    const body = await call('limited');
    expect(body).toEqual({ jsonrpc: '2.0', id: expect.any(Number), error: { code: -32004, message: 'Rate limit exceeded', data: { retryAfter: 7 } } });
    expect(ran).toEqual([]);
    expect(decisions).toEqual([expect.objectContaining({ tool: 'limited', result: 'deny', reason: 'rate limited' })]);
  });

  it("answer with the gate's result (an MCP 2026-07-28 InputRequiredResult) and never run the handler", async () => {
    const body = await call('held');
    expect(body.result).toEqual({ resultType: 'input_required', requestState: 'opaque' });
    expect(ran).toEqual([]);
    expect(decisions).toEqual([expect.objectContaining({ tool: 'held', result: 'deny', reason: 'approval required' })]);
  });

  it('fail closed: a gate that throws answers a JSON-RPC internal error and the handler never runs', async () => {
    const body = await call('broken');
    expect(body.error).toMatchObject({ code: -32603, message: expect.stringMatching(/call gate failed/) });
    expect(ran).toEqual([]);
    expect(decisions).toEqual([expect.objectContaining({ tool: 'broken', result: 'deny', reason: 'a call gate failed' })]);
  });

  it('do not run for requests that invoke no gated operation (tools/list)', async () => {
    await rpc(mcp, 'tools/list', {}, 'alice');
    expect(seen).toEqual([]);
  });
});
