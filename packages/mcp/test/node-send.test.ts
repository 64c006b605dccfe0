import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectMcpServer, toNodeListener, type ProtectedMcp } from '../src/index.ts';
import { nodeTextSender } from '../src/node-send.ts';
import type { DecisionRecord } from '../src/policy.ts';
import { buildServer, SCOPES } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';

let as: FakeAuthorizationServer;
const servers: Server[] = [];
const closing: ProtectedMcp[] = [];

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  as = await startFakeAuthorizationServer();
});
afterAll(async () => {
  for (const mcp of closing) await mcp.close();
  for (const server of servers) server.close();
  await as.stop();
});

describe('An answer the guard holds as text is written straight to node:http', () => {
  it('sends the status, every header (each Set-Cookie apart), the body and its byte length', async () => {
    const text = '{"note":"café ☕"}';
    const headers = new Headers([
      ['content-type', 'application/json'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['mcp-session-id', 's-1'],
    ]);
    const base = await serve((_req, res) => void nodeTextSender(res)(text, 201, headers));
    const response = await fetch(base);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('mcp-session-id')).toBe('s-1');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(await response.text()).toBe(text);
  });

  it('answers a recorded tool call through toNodeListener as mcp.fetch answers it', async () => {
    const holder: { handler?: Parameters<typeof createServer>[1] } = {};
    const base = await serve((req, res) => holder.handler?.(req, res));
    const records: DecisionRecord[] = [];
    const mcp = protectMcpServer({
      server: buildServer().server,
      issuer: as.issuer,
      resource: `${base}/mcp`,
      scopesSupported: SCOPES,
      organizations: ['org_acme'],
      introspection: { ...INTROSPECTION_CLIENT, revocationStream: false },
      onDecision: (record) => void records.push(record),
    });
    closing.push(mcp);
    holder.handler = toNodeListener(mcp) as never;
    as.tokens.set('send-token', activeToken(as.issuer, { aud: `${base}/mcp`, scope: 'tickets:read' }));
    const init = () => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer send-token' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'list_tickets', arguments: {} } }),
    });
    const overNode = await fetch(`${base}/mcp`, init());
    const inProcess = await mcp.fetch(new Request(`${base}/mcp`, init()));
    const body = await overNode.text();
    expect(overNode.status).toBe(inProcess.status);
    expect(overNode.headers.get('content-type')).toBe(inProcess.headers.get('content-type'));
    expect(overNode.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(body).toBe(await inProcess.text());
    expect(JSON.parse(body)).toMatchObject({ id: 7, result: { content: [{ type: 'text', text: 'tickets for usr_alice' }] } });
    expect(records.map((record) => [record.tool, record.result, record.outcome])).toEqual([
      ['list_tickets', 'allow', 'success'],
      ['list_tickets', 'allow', 'success'],
    ]);
  });
});
