/**
 * Issue 16 §4 "Audit truth": the record of a tool call says what happened.
 * An allowed call is recorded after its handler ran (success or error, with
 * the duration), carries the MCP session and the host application, and
 * refused tokens are recorded in aggregate so a flood cannot flood the log.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GatedMcpServer, OVERFLOW_REASON, protectMcpServer, RefusalCounter, requireScopes, type DecisionRecord, type Principal, type RefusedTokens } from '../src/index.ts';
import { RESOURCE, rpc } from './support/fixture.ts';

const ISSUER = 'http://127.0.0.1:4000';
let decisions: DecisionRecord[];
let refused: RefusedTokens[];
let now = Date.UTC(2026, 11, 6, 12);
const principalOf = (token: string): Principal | undefined =>
  token.startsWith('good')
    ? {
        subject: 'usr_alice',
        kind: 'user',
        orgId: token === 'good-foreign' ? 'org_other' : 'org_acme',
        roles: ['Support'],
        permissions: [],
        scopes: ['tickets:read'],
        clientId: token === 'good-other-client' ? 'client-2' : 'client-1',
        expiresAt: now + 60_000,
      }
    : undefined;

const server = new GatedMcpServer({ name: 'truth', version: '1' });
server.registerTool('works', { requires: requireScopes('tickets:read') }, async () => {
  now += 25; // the handler takes 25 ms of the test clock
  expect(decisions.filter((d) => d.result === 'allow')).toEqual([]); // nothing recorded yet: the outcome is not known
  return { content: [{ type: 'text', text: 'ok' }] };
});
server.registerTool('throws', { requires: requireScopes('tickets:read'), inputSchema: { id: z.string() } }, async () => {
  throw new Error('database exploded');
});
server.registerTool('reports_error', { requires: requireScopes('tickets:read') }, async () => ({ content: [{ type: 'text', text: 'no such ticket' }], isError: true }));

let failRecord = false;
const mcp = protectMcpServer({
  server,
  issuer: ISSUER,
  resource: RESOURCE,
  scopesSupported: ['tickets:read'],
  organizations: ['org_acme'],
  verifier: {
    verify: async (token) => {
      const principal = principalOf(token);
      return principal ? { ok: true, principal } : { ok: false, reason: token.startsWith('expired') ? 'expired' : 'inactive' };
    },
    close: async () => {},
  },
  onDecision: (record) => {
    if (failRecord) throw new Error('audit store down');
    decisions.push(record);
  },
  onRefusedTokens: (r) => void refused.push(r),
  clock: { now: () => now },
});

beforeEach(() => {
  decisions = [];
  refused = [];
  failRecord = false;
});
afterAll(() => mcp.close());

describe('Audit truth: an allowed tool call is recorded with its outcome', () => {
  it('records a successful call after the handler ran, with outcome success and its duration', async () => {
    const body = (await (await rpc(mcp, 'tools/call', { name: 'works', arguments: {} }, 'good')).json()) as { result: unknown };
    expect(body.result).toBeDefined();
    expect(decisions).toEqual([expect.objectContaining({ tool: 'works', result: 'allow', outcome: 'success', durationMs: 25 })]);
  });

  it('a tool whose handler throws produces a record with outcome error', async () => {
    const body = (await (await rpc(mcp, 'tools/call', { name: 'throws', arguments: { id: 't-1' } }, 'good')).json()) as { result: { isError: boolean } };
    expect(body.result.isError).toBe(true);
    expect(decisions).toEqual([expect.objectContaining({ tool: 'throws', result: 'allow', outcome: 'error', error: 'the tool returned an error result' })]);
  });

  it('a tool that returns isError: true is recorded with outcome error', async () => {
    await rpc(mcp, 'tools/call', { name: 'reports_error', arguments: {} }, 'good');
    expect(decisions).toEqual([expect.objectContaining({ tool: 'reports_error', outcome: 'error' })]);
  });

  it('a call the server answers with a JSON-RPC error (invalid arguments) is recorded with outcome error', async () => {
    const body = (await (await rpc(mcp, 'tools/call', { name: 'throws', arguments: { id: 42 } }, 'good')).json()) as { error?: unknown; result?: { isError?: boolean } };
    expect(body.error ?? body.result?.isError).toBeTruthy();
    expect(decisions).toEqual([expect.objectContaining({ tool: 'throws', outcome: 'error' })]);
  });

  it('withholds the result when the outcome cannot be recorded (nothing leaves unaudited)', async () => {
    failRecord = true;
    const body = (await (await rpc(mcp, 'tools/call', { name: 'works', arguments: {} }, 'good')).json()) as { error: { code: number }; result?: unknown };
    expect(body.error.code).toBe(-32603);
    expect(body.result).toBeUndefined();
  });
});

describe('Audit truth: the record names the MCP session and the host application', () => {
  it("carries the Mcp-Session-Id and the clientInfo the session's initialize sent", async () => {
    const session = { 'mcp-session-id': 'sess-77' };
    const init = await rpc(mcp, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'Claude Desktop', version: '1.4.2' } }, 'good', session);
    expect(init.status).toBe(200);
    await rpc(mcp, 'tools/call', { name: 'works', arguments: {} }, 'good', session);
    expect(decisions).toEqual([expect.objectContaining({ sessionId: 'sess-77', clientName: 'Claude Desktop', clientVersion: '1.4.2' })]);
  });

  it("names a session at initialize when the server has none, so later calls carry it and the client's name", async () => {
    const init = await rpc(mcp, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ChatGPT', version: '5' } }, 'good');
    const session = init.headers.get('mcp-session-id');
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    await rpc(mcp, 'tools/call', { name: 'works', arguments: {} }, 'good', { 'mcp-session-id': session! });
    expect(decisions).toEqual([expect.objectContaining({ sessionId: session, clientName: 'ChatGPT', clientVersion: '5' })]);
  });

  it('another OAuth client naming that session does not borrow its client name', async () => {
    const init = await rpc(mcp, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'Claude', version: '1' } }, 'good');
    await rpc(mcp, 'tools/call', { name: 'works', arguments: {} }, 'good-other-client', { 'mcp-session-id': init.headers.get('mcp-session-id')! });
    expect(decisions).toEqual([expect.objectContaining({ clientId: 'client-2' })]);
    expect(decisions[0]!.clientName).toBeUndefined();
  });

  it("takes the host application from the request's _meta when it carries one", async () => {
    await rpc(mcp, 'tools/call', { name: 'works', arguments: {}, _meta: { 'io.modelcontextprotocol/clientInfo': { name: 'Cursor', version: '2.0' } } }, 'good');
    expect(decisions).toEqual([expect.objectContaining({ clientName: 'Cursor', clientVersion: '2.0' })]);
    expect(decisions[0]!.sessionId).toBeUndefined();
  });

  it("forgets a session's client when the session is deleted", async () => {
    const session = { 'mcp-session-id': 'sess-del' };
    await rpc(mcp, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'Gone', version: '1' } }, 'good', session);
    await mcp.fetch(new Request(RESOURCE, { method: 'DELETE', headers: { authorization: 'Bearer good', ...session } }));
    await rpc(mcp, 'tools/call', { name: 'works', arguments: {} }, 'good', session);
    expect(decisions[0]!.clientName).toBeUndefined();
  });
});

describe('Audit truth: refused tokens are recorded, aggregated per client and reason', () => {
  it('a 401 burst of 1,000 bad tokens produces a bounded number of aggregated records that count them all', async () => {
    const responses = await Promise.all(Array.from({ length: 1000 }, (_, i) => rpc(mcp, 'tools/call', { name: 'works', arguments: {} }, i % 4 === 0 ? `expired-${i}` : `forged-${i}`)));
    expect(responses.every((r) => r.status === 401)).toBe(true);
    await mcp.close(); // flushes the window
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(refused.map((r) => [r.reason, r.count]).sort()).toEqual([
      ['expired', 250],
      ['inactive', 750],
    ]);
    expect(JSON.stringify(refused)).not.toContain('forged-');
  });

  it('a verified token of an org this server does not serve is counted under its client', async () => {
    await rpc(mcp, 'tools/call', { name: 'works', arguments: {} }, 'good-foreign');
    await rpc(mcp, 'tools/call', { name: 'works', arguments: {} }, 'good-foreign');
    await mcp.close();
    expect(refused).toEqual([expect.objectContaining({ reason: 'foreign_org', clientId: 'client-1', count: 2 })]);
  });
});

describe('RefusalCounter: the number of keys per window is bounded', () => {
  it('counts clients past maxKeys under one overflow record, so a window yields at most maxKeys + 1 records', async () => {
    const reports: RefusedTokens[] = [];
    const counter = new RefusalCounter({ report: (r) => void reports.push(r), now: () => 1000, maxKeys: 3 });
    for (let i = 0; i < 50; i++) counter.note('foreign_org', `client-${i}`);
    await counter.flush();
    expect(reports).toHaveLength(4);
    expect(reports[3]).toEqual({ reason: OVERFLOW_REASON, clientId: null, count: 47, from: 1000, to: 1000 });
  });
});
