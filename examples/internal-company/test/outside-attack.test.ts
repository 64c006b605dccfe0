/**
 * Issue 10 (outside attack) replayed against the demo company's MCP server
 * with its decisions written to a real hash-chained audit log, as
 * `gatehouse dev` wires it: a JSON-RPC batch writes no audit record and runs
 * nothing; routing headers that disagree with the body change no ticket.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { protectMcpServer, type Principal, type TokenVerifier } from '@gatehouse-auth/mcp';
import { AuditLog, auditDecisions } from '@gatehouse-auth/audit';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { createInternalCompanyServer, INTERNAL_COMPANY_SCOPES, seedCompanyData } from '../src/index.ts';

const RESOURCE = 'http://127.0.0.1:4001/mcp';
const SUPPORT = ['employees:read:public', 'customers:read:summary', 'tickets:read', 'ticket:write:update'];
const verifier: TokenVerifier = {
  async verify(token) {
    if (token !== 'support') return { ok: false, reason: 'inactive' };
    const principal: Principal = { subject: 'usr_sam', kind: 'user', orgId: 'org_acme', roles: ['Support'], permissions: [], scopes: SUPPORT, clientId: 'c', expiresAt: Date.now() + 60_000 };
    return { ok: true, principal };
  },
  async close() {},
};

let t: TestStore;
let log: AuditLog;
let ran: string[];
let data: ReturnType<typeof seedCompanyData>;
let post: (body: unknown, headers?: Record<string, string>) => Promise<Response>;

beforeEach(async () => {
  t = await createTestStore('sqlite');
  log = new AuditLog({ store: t.store.audit });
  ran = [];
  data = seedCompanyData();
  const mcp = protectMcpServer({
    server: createInternalCompanyServer(data, (tool) => ran.push(tool)),
    issuer: 'http://127.0.0.1:4000',
    resource: RESOURCE,
    scopesSupported: [...INTERNAL_COMPANY_SCOPES],
    organizations: ['org_acme'],
    verifier,
    onDecision: auditDecisions(log),
  });
  post = (body, headers = {}) =>
    mcp.fetch(
      new Request(RESOURCE, {
        method: 'POST',
        headers: { authorization: 'Bearer support', 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify(body),
      }),
    );
});
afterEach(async () => {
  await log.close();
  await t.cleanup();
});

const auditRows = async () => (await t.store.audit.scan('org_acme', 0, 100_000)).length;
const update = (id: number, ticketId: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'update_ticket', arguments: { ticketId, status: 'closed' } } });
const statusOf = (id: string) => data.tickets.find((ticket) => ticket.id === id)!.status;

describe('Issue 10: batches are refused before any authorization or audit work', () => {
  it('one request of 5,000 tools/call (≈ 540 KB) writes zero audit rows, runs no tool and answers 400 -32600', async () => {
    const batch = Array.from({ length: 5000 }, (_, i) => update(i + 1, 'T-1'));
    expect(JSON.stringify(batch).length).toBeGreaterThan(500_000);
    const started = performance.now();
    const response = await post(batch);
    const elapsedMs = performance.now() - started;
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await auditRows()).toBe(0);
    expect(ran).toEqual([]);
    expect(statusOf('T-1')).toBe('open');
    expect(elapsedMs).toBeLessThan(2_000); // was about 65 s of policy and audit work
  });
});

describe('Issue 10: routing headers that disagree with the body change nothing', () => {
  it('Mcp-Method: tools/list with a body calling update_ticket is refused (400 -32020) and the ticket is unchanged', async () => {
    expect(statusOf('T-1')).toBe('open');
    // The attack as reported: the call wrapped in a batch, which skipped the header check.
    const batched = await post([update(1, 'T-1')], { 'mcp-method': 'tools/list' });
    expect(batched.status).toBe(400);
    expect(statusOf('T-1')).toBe('open');
    const single = await post(update(2, 'T-1'), { 'mcp-method': 'tools/list' });
    expect(single.status).toBe(400);
    expect(await single.json()).toMatchObject({ id: 2, error: { code: -32020 } });
    expect(statusOf('T-1')).toBe('open');
    expect(ran).toEqual([]);
    expect(await auditRows()).toBe(0);
  });

  it('Mcp-Name naming a harmless tool while the body updates a ticket is refused too', async () => {
    const response = await post(update(3, 'T-1'), { 'mcp-method': 'tools/call', 'mcp-name': 'list_tickets' });
    expect(response.status).toBe(400);
    expect(statusOf('T-1')).toBe('open');
  });

  it('the same call with matching headers runs once and is audited once', async () => {
    const response = await post(update(4, 'T-1'), { 'mcp-method': 'tools/call', 'mcp-name': 'update_ticket' });
    expect(response.status).toBe(200);
    expect(statusOf('T-1')).toBe('closed');
    expect(ran).toEqual(['update_ticket']);
    expect(await auditRows()).toBe(1);
  });
});
