/**
 * Issue 10 (outside attack), findings 4 and 6: one JSON-RPC message per
 * POST, refused before any authorization or audit work when it is a batch;
 * routing headers checked against the body for every method; the body read
 * bounded.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { buildServer, RESOURCE, SCOPES } from './support/fixture.ts';
import { protectMcpServer, type DecisionRecord, type Principal, type ProtectedMcp, type TokenVerifier } from '../src/index.ts';

const TOKENS: Record<string, string[]> = {
  reader: ['tickets:read', 'employees:read:public'],
  writer: ['tickets:read', 'ticket:write:update', 'finance:read:revenue', 'employees:read:public'],
};

let mcp: ProtectedMcp;
let spies: ReturnType<typeof buildServer>['spies'];
let decisions: DecisionRecord[];
let verify: ReturnType<typeof vi.fn>;

beforeEach(() => {
  decisions = [];
  verify = vi.fn(async (token: string) => {
    const scopes = TOKENS[token];
    if (!scopes) return { ok: false as const, reason: 'inactive' as const };
    const principal: Principal = { subject: `usr_${token}`, kind: 'user', orgId: 'org_acme', roles: [], permissions: [], scopes, clientId: 'c', expiresAt: Date.now() + 60_000 };
    return { ok: true as const, principal };
  });
  const verifier: TokenVerifier = { verify: verify as TokenVerifier['verify'], close: async () => {} };
  const built = buildServer();
  spies = built.spies;
  mcp = protectMcpServer({
    server: built.server,
    resource: RESOURCE,
    issuer: 'http://127.0.0.1:4000',
    scopesSupported: SCOPES,
    organizations: ['org_acme'],
    verifier,
    maxBodyBytes: 1_048_576,
    policy: () => ({ allow: true }),
    onDecision: (record) => void decisions.push(record),
  });
});

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const post = (body: string | ReadableStream<Uint8Array>, token: string | undefined, headers: Record<string, string> = {}) =>
  mcp.fetch(
    new Request(RESOURCE, {
      method: 'POST',
      headers: { ...HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body,
      ...(typeof body === 'string' ? {} : { duplex: 'half' }),
    } as RequestInit),
  );
const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

describe('MCP 2025-06-18: batches are refused before any authorization or audit work', () => {
  it('a batch of 5,000 tools/call is answered 400 -32600 with no decision recorded, no token verified and no handler run', async () => {
    const batch = JSON.stringify(Array.from({ length: 5000 }, (_, i) => call(i + 1, 'update_ticket', { ticketId: `t${i}` })));
    expect(batch.length).toBeGreaterThan(300_000);
    const response = await post(batch, 'writer');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringContaining('batches are not accepted') } });
    expect(decisions).toEqual([]);
    expect(verify).not.toHaveBeenCalled();
    expect(spies.updateTicket).not.toHaveBeenCalled();
  });

  it('a batch of one allowed call is refused too: nothing runs that a single message would not', async () => {
    const response = await post(JSON.stringify([call(1, 'update_ticket', { ticketId: 't1' })]), 'writer', { 'mcp-method': 'tools/list' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
    expect(decisions).toEqual([]);
    expect(spies.updateTicket).not.toHaveBeenCalled();
  });

  it('a batch a framework already parsed (express.json()) is refused the same way', async () => {
    const request = new Request(RESOURCE, { method: 'POST', headers: { ...HEADERS, authorization: 'Bearer writer' }, body: '' });
    const response = await mcp.fetch(request, { parsedBody: [call(1, 'update_ticket', { ticketId: 't1' })] });
    expect(response.status).toBe(400);
    expect(decisions).toEqual([]);
    expect(spies.updateTicket).not.toHaveBeenCalled();
  });

  it('a batch without a token is refused the same way (400, not a login prompt)', async () => {
    const response = await post(JSON.stringify([call(1, 'list_tickets')]), undefined);
    expect(response.status).toBe(400);
    expect(decisions).toEqual([]);
  });

  it('a body that is JSON but not one message (a number, null, a string) is an Invalid Request', async () => {
    for (const body of ['42', 'null', '"tools/call"']) {
      const response = await post(body, 'writer');
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
    }
    expect(verify).not.toHaveBeenCalled();
  });
});

describe('The body read is bounded (maxBodyBytes) before the token is looked at', () => {
  const big = JSON.stringify(call(1, 'list_tickets', { pad: 'x'.repeat(1_100_000) }));

  it('a declared Content-Length over the limit is refused 413 with a JSON-RPC error, unread', async () => {
    const response = await post(big, 'reader', { 'content-length': String(big.length) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringContaining('over 1048576 bytes') } });
    expect(verify).not.toHaveBeenCalled();
    expect(spies.listTickets).not.toHaveBeenCalled();
  });

  it('a streamed body without Content-Length is cut off at the limit (413), whether or not a token is sent', async () => {
    for (const token of ['reader', undefined]) {
      let pulled = 0;
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          controller.enqueue(chunk);
        },
      });
      const response = await post(endless, token);
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32600);
      expect(pulled).toBeLessThan(40); // 1 MiB / 64 KiB = 16 chunks, plus the stream's read-ahead
    }
    expect(verify).not.toHaveBeenCalled();
  });
});

describe('MCP 2026-07-28 Request Metadata: Mcp-Method and Mcp-Name are checked for every method', () => {
  const rpc = (method: string, params: Record<string, unknown>, headers: Record<string, string>, token = 'writer') => post(JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }), token, headers);
  const expectMismatch = async (response: Response) => {
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32020 } });
    expect(decisions).toEqual([]);
  };

  it('refuses Mcp-Method: tools/list on a body that calls update_ticket', async () => {
    await expectMismatch(await rpc('tools/call', { name: 'update_ticket', arguments: { ticketId: 't1' } }, { 'mcp-method': 'tools/list' }));
    expect(spies.updateTicket).not.toHaveBeenCalled();
  });

  it('refuses an Mcp-Name that differs from resources/read params.uri', async () => {
    await expectMismatch(await rpc('resources/read', { uri: 'reports://2026' }, { 'mcp-method': 'resources/read', 'mcp-name': 'docs://handbook' }));
    expect(spies.readReport).not.toHaveBeenCalled();
  });

  it('refuses an Mcp-Name that differs from prompts/get params.name', async () => {
    await expectMismatch(await rpc('prompts/get', { name: 'summarise_tickets' }, { 'mcp-method': 'prompts/get', 'mcp-name': 'something_else' }));
    expect(spies.prompt).not.toHaveBeenCalled();
  });

  it('refuses an Mcp-Name that differs from resources/subscribe params.uri', async () => {
    await expectMismatch(await rpc('resources/subscribe', { uri: 'reports://2026' }, { 'mcp-method': 'resources/subscribe', 'mcp-name': 'docs://handbook' }));
  });

  it('refuses an Mcp-Name on a method that names nothing (tools/list naming update_ticket)', async () => {
    await expectMismatch(await rpc('tools/list', {}, { 'mcp-method': 'tools/list', 'mcp-name': 'update_ticket' }));
  });

  it('decodes the =?base64?…?= form before comparing, and refuses a malformed one', async () => {
    const encoded = `=?base64?${Buffer.from('reports://2026').toString('base64')}?=`;
    const ok = await rpc('resources/read', { uri: 'reports://2026' }, { 'mcp-method': 'resources/read', 'mcp-name': encoded });
    expect(ok.status).toBe(200);
    expect(spies.readReport).toHaveBeenCalledTimes(1);
    decisions = [];
    await expectMismatch(await rpc('resources/read', { uri: 'reports://2026' }, { 'mcp-method': 'resources/read', 'mcp-name': '=?base64?not base64!?=' }));
  });

  it('a 2026-07-28 client must send Mcp-Method, and Mcp-Name on tools/call, resources/read and prompts/get', async () => {
    const modern = { 'mcp-protocol-version': '2026-07-28' };
    await expectMismatch(await rpc('tools/list', {}, modern));
    await expectMismatch(await rpc('tools/call', { name: 'list_tickets', arguments: {} }, { ...modern, 'mcp-method': 'tools/call' }));
    await expectMismatch(await rpc('resources/read', { uri: 'reports://2026' }, { ...modern, 'mcp-method': 'resources/read' }));
    await expectMismatch(await rpc('prompts/get', { name: 'summarise_tickets' }, { ...modern, 'mcp-method': 'prompts/get' }));
    expect(spies.listTickets).not.toHaveBeenCalled();
  });

  it('an older client (no headers, MCP-Protocol-Version 2025-06-18) is served; matching headers are served', async () => {
    expect((await rpc('tools/call', { name: 'list_tickets', arguments: {} }, { 'mcp-protocol-version': '2025-06-18' })).status).toBe(200);
    expect((await rpc('tools/call', { name: 'list_tickets', arguments: {} }, { 'mcp-method': 'tools/call', 'mcp-name': 'list_tickets' })).status).toBe(200);
    expect((await rpc('tools/list', {}, { 'mcp-method': 'tools/list' })).status).toBe(200);
    expect(spies.listTickets).toHaveBeenCalledTimes(2);
  });
});
