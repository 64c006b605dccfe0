/**
 * On node:http (toNodeListener) the guard reads the POST body from the
 * IncomingMessage, not through the web Request's stream: the same cap, the
 * same answers (413 / 400 / 401) and the same decisions as readJsonBody.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildServer, SCOPES } from './support/fixture.ts';
import { readNodeJsonBody } from '../src/node-body.ts';
import { protectMcpServer, toNodeListener, type DecisionRecord, type Principal, type ProtectedMcp, type TokenVerifier } from '../src/index.ts';

const MAX = 64 * 1024;
let server: Server;
let base: string;
let mcp: ProtectedMcp;
let decisions: DecisionRecord[];
let spies: ReturnType<typeof buildServer>['spies'];
const verify = vi.fn(async (token: string) => {
  if (token !== 'reader') return { ok: false as const, reason: 'inactive' as const };
  const principal: Principal = { subject: 'usr_reader', kind: 'user', orgId: 'org_acme', roles: [], permissions: [], scopes: ['tickets:read'], clientId: 'c', expiresAt: Date.now() + 60_000 };
  return { ok: true as const, principal };
});

beforeAll(async () => {
  const holder: { listener?: ReturnType<typeof toNodeListener> } = {};
  server = createServer((req, res) => void holder.listener?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const built = buildServer();
  spies = built.spies;
  const verifier: TokenVerifier = { verify: verify as TokenVerifier['verify'], close: async () => {} };
  mcp = protectMcpServer({
    server: built.server,
    resource: `${base}/mcp`,
    issuer: 'http://127.0.0.1:4000',
    scopesSupported: SCOPES,
    organizations: ['org_acme'],
    verifier,
    maxBodyBytes: MAX,
    onDecision: (record) => void decisions.push(record),
  });
  holder.listener = toNodeListener(mcp);
});
afterAll(async () => {
  await mcp.close();
  server.close();
});
beforeEach(() => {
  decisions = [];
  verify.mockClear();
  spies.listTickets.mockClear();
});

interface Answer {
  status: number;
  body: string;
  headers: IncomingMessage['headers'];
}

/** A POST over node:http; `chunks` are written one by one (chunked, no Content-Length unless given). */
function post(chunks: string[], headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    // The server may answer (413) and close before every chunk is written.
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

const CALL = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tickets', arguments: {} } });

describe('On node:http the body is read from the IncomingMessage under the same rules', () => {
  it('a tools/call sent in several chunks is read whole, verified, recorded and run', async () => {
    const answer = await post([CALL.slice(0, 10), CALL.slice(10, 40), CALL.slice(40)], { authorization: 'Bearer reader' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'tickets for usr_reader' }] } });
    expect(spies.listTickets).toHaveBeenCalledTimes(1);
    expect(decisions.map((d) => [d.tool, d.result])).toEqual([['list_tickets', 'allow']]);
  });

  it('a declared Content-Length over the limit is answered 413 with a JSON-RPC error, no token verified', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tickets', arguments: { pad: 'x'.repeat(MAX) } } });
    const answer = await post([big], { authorization: 'Bearer reader', 'content-length': String(Buffer.byteLength(big)) });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: `Invalid Request: the body is over ${MAX} bytes` } });
    expect(verify).not.toHaveBeenCalled();
    expect(spies.listTickets).not.toHaveBeenCalled();
  });

  it('a chunked body without Content-Length is cut off at the limit and answered 413, with or without a token', async () => {
    for (const headers of [{ authorization: 'Bearer reader' }, {}] as Record<string, string>[]) {
      const chunk = 'x'.repeat(16 * 1024);
      const answer = await post(
        Array.from({ length: 8 }, () => chunk),
        headers,
      );
      expect(answer.status).toBe(413);
      expect((JSON.parse(answer.body) as { error: { code: number } }).error.code).toBe(-32600);
    }
    expect(verify).not.toHaveBeenCalled();
    expect(decisions).toEqual([]);
  });

  it('a body that is not JSON is a parse error (400) with a token, and a bearer challenge (401) without one', async () => {
    const withToken = await post(['{"jsonrpc":'], { authorization: 'Bearer reader' });
    expect(withToken.status).toBe(400);
    expect((JSON.parse(withToken.body) as { error: { code: number } }).error.code).toBe(-32700);
    const empty = await post([], { authorization: 'Bearer reader' });
    expect(empty.status).toBe(400);
    const anonymous = await post(['not json']);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('resource_metadata=');
    expect(verify).not.toHaveBeenCalled();
    expect(spies.listTickets).not.toHaveBeenCalled();
  });
});

describe('readNodeJsonBody', () => {
  const incoming = (contentLength?: string) =>
    Object.assign(new PassThrough(), { headers: contentLength === undefined ? {} : { 'content-length': contentLength } }) as unknown as IncomingMessage & PassThrough;

  it('joins the chunks of a UTF-8 body split inside a character', async () => {
    const source = incoming();
    const bytes = Buffer.from('{"name":"Zoë ✓"}', 'utf8');
    const read = readNodeJsonBody(source, 1024);
    source.write(bytes.subarray(0, 12));
    source.end(bytes.subarray(12));
    expect(await read).toEqual({ ok: true, value: { name: 'Zoë ✓' } });
  });

  it('counts the bytes that arrive, whatever Content-Length declares', async () => {
    const source = incoming('10');
    const read = readNodeJsonBody(source, 100);
    source.write('x'.repeat(101));
    expect(await read).toEqual({ ok: false, status: 413, message: 'Invalid Request: the body is over 100 bytes' });
  });

  it('rejects when the client goes away before the body ends (no partial body is judged)', async () => {
    const source = incoming();
    const read = readNodeJsonBody(source, 1024);
    source.write('{"jsonrpc":"2.0",');
    source.destroy();
    await expect(read).rejects.toThrow(/aborted/);
  });
});
