import { describe, expect, it } from 'vitest';
import { protectMcpServer, type Principal, type TokenVerifier } from '@gatehouse-auth/mcp';
import { createInternalCompanyServer, INTERNAL_COMPANY_SCOPES, seedCompanyData, TOOL_SCOPES } from '../src/index.ts';

const RESOURCE = 'http://127.0.0.1:4001/mcp';
// The scopes each department may grant (gatehouse.yaml allowed_roles).
const ROLE_SCOPES: Record<string, string[]> = {
  Management: ['employees:read:public', 'employees:read:private', 'finance:read:revenue', 'analytics:read:all', 'customers:read:summary'],
  HR: ['employees:read:public', 'employees:read:private'],
  Engineering: ['employees:read:public', 'tickets:read', 'code:read'],
  Support: ['employees:read:public', 'customers:read:summary', 'tickets:read', 'ticket:write:update'],
};

/** Stands in for introspection: the token names the role whose scopes it carries. */
const roleVerifier: TokenVerifier = {
  async verify(token) {
    const scopes = ROLE_SCOPES[token];
    if (!scopes) return { ok: false, reason: 'inactive' };
    const principal: Principal = { subject: `usr_${token}`, kind: 'user', orgId: 'org_acme', roles: [token], permissions: [], scopes, clientId: 'c', expiresAt: Date.now() + 60_000 };
    return { ok: true, principal };
  },
  async close() {},
};

function setup() {
  const ran: string[] = [];
  const data = seedCompanyData();
  const mcp = protectMcpServer({
    server: createInternalCompanyServer(data, (tool) => ran.push(tool)),
    issuer: 'http://127.0.0.1:4000',
    resource: RESOURCE,
    scopesSupported: [...INTERNAL_COMPANY_SCOPES],
    organizations: ['org_acme'],
    verifier: roleVerifier,
  });
  const rpc = async (token: string, method: string, params: Record<string, unknown> = {}) =>
    mcp.fetch(
      new Request(RESOURCE, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      }),
    );
  return { mcp, rpc, ran, data };
}

describe('Internal company demo (seed 001): each department sees exactly its tools', () => {
  for (const [role, scopes] of Object.entries(ROLE_SCOPES)) {
    it(`${role} lists the tools of ${scopes.length} scopes`, async () => {
      const { rpc } = setup();
      const body = (await (await rpc(role, 'tools/list')).json()) as { result: { tools: { name: string }[] } };
      const expected = Object.entries(TOOL_SCOPES)
        .filter(([, scope]) => scopes.includes(scope))
        .map(([tool]) => tool)
        .sort();
      expect(body.result.tools.map((t) => t.name).sort()).toEqual(expected);
    });
  }

  it('lets Engineering search code but not read revenue, whose handler never runs', async () => {
    const { rpc, ran } = setup();
    const search = (await (await rpc('Engineering', 'tools/call', { name: 'search_code', arguments: { query: 'vat' } })).json()) as { result: { content: { text: string }[] } };
    expect(JSON.parse(search.result.content[0]!.text)).toEqual(['services/billing/vat.ts']);
    const revenue = await rpc('Engineering', 'tools/call', { name: 'revenue_report', arguments: {} });
    expect(revenue.status).toBe(403);
    expect(revenue.headers.get('www-authenticate')).toContain('scope="finance:read:revenue"');
    expect(ran).toEqual(['search_code']);
  });

  it('keeps private employee data from public-only readers', async () => {
    const { rpc } = setup();
    const body = (await (await rpc('Support', 'tools/call', { name: 'employee_information_public', arguments: { employee_id: 'e-102' } })).json()) as { result: { content: { text: string }[] } };
    expect(body.result.content[0]!.text).not.toContain('salary');
    expect((await rpc('Support', 'tools/call', { name: 'employee_information_private', arguments: { employee_id: 'e-102' } })).status).toBe(403);
  });

  it('refuses to change a closed ticket even with ticket:write:update (runtime rule)', async () => {
    const { rpc, ran, data } = setup();
    const body = (await (await rpc('Support', 'tools/call', { name: 'update_ticket', arguments: { ticketId: 'T-3', status: 'open' } })).json()) as { error: { message: string } };
    expect(body.error.message).toBe('Forbidden: ticket T-3 is closed');
    expect(data.tickets.find((t) => t.id === 'T-3')!.status).toBe('closed');
    expect(ran).toEqual([]);
  });

  it('records who replied from the verified principal', async () => {
    const { rpc, data } = setup();
    await rpc('Support', 'tools/call', { name: 'update_ticket', arguments: { ticketId: 'T-1', reply: 'On it' } });
    expect(data.tickets.find((t) => t.id === 'T-1')!.replies).toEqual(['usr_Support: On it']);
  });
});
