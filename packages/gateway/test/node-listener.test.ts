/**
 * The node-level path for MCP POSTs (node-listener.ts) and the node:http
 * upstream hop (upstream-transport.ts), against a scripted upstream: the
 * same gateway served through @hono/node-server alone and through the
 * node listener answers every refusal identically, the upstream gets the
 * message that was authorized and never the caller's credentials, and SSE
 * events pass while the upstream is still answering.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../authorization-server/test/support/listen.ts';
import { listenGateway, type ListeningGateway } from '@gatehouse-auth/cli';
import { createGateway, type Gateway, type GatewayDecisionRecord } from '../src/index.ts';
import { ORG, person, staticVerifier } from './support/static-verifier.ts';

interface Seen {
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Script = (message: { id?: unknown; method?: string; params?: { arguments?: { message?: string } } }, res: ServerResponse) => void;

const TOKEN = 'alice-token-0123456789';
const seen: Seen[] = [];
const decisions: GatewayDecisionRecord[] = [];
/** Per tools/call message: how the scripted upstream answers. */
const scripts = new Map<string, Script>();
let sessions = 0;
let upstream: Server;
/** The gateway behind @hono/node-server alone (as before the node listener). */
let viaHono: Listening;
/** The gateway as the CLI serves it (listenGateway: the node listener, @hono/node-server for the rest). */
let viaNode: ListeningGateway;
let gateway: Gateway;
/** Per request the node listener's server handled: whether it came with the body already parsed (its own path). */
const parsedByListener: boolean[] = [];

const sse = (message: unknown) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.push({ method: req.method ?? '', headers: req.headers, body });
  if (req.method !== 'POST') return void res.writeHead(405).end();
  const message = JSON.parse(body) as Parameters<Script>[0];
  if (message.method === 'initialize') {
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': `upstream-session-${++sessions}` });
    return void res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'scripted', version: '1' } } }));
  }
  if (message.id === undefined) return void res.writeHead(202).end();
  if (message.method === 'tools/list') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    return void res.end(
      sse({
        jsonrpc: '2.0',
        id: message.id,
        result: {
          tools: [
            { name: 'echo', inputSchema: { type: 'object' } },
            { name: 'get-env', inputSchema: { type: 'object' } },
          ],
        },
      }),
    );
  }
  const script = scripts.get(message.params?.arguments?.message ?? '');
  if (script) return script(message, res);
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(sse({ jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: `Echo: ${message.params?.arguments?.message}` }] } }));
}

async function serve(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const origin = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  upstream = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  gateway = createGateway({
    issuer: 'https://as.acme.test',
    publicUrl: 'http://127.0.0.1',
    verifier: staticVerifier({ [TOKEN]: person('usr_alice', ['everything:use']), 'bob-token-0123456789': person('usr_bob', ['everything:use']) }),
    allowedOrigins: ['https://app.acme.test'],
    onDecision: (record) => {
      decisions.push(record);
    },
    upstreams: [
      {
        name: 'scripted',
        path: '/scripted/mcp',
        scopes: ['everything:use'],
        organizations: [ORG],
        policy: {
          tools: [
            { name: 'echo', scopes: ['everything:use'], arguments: { message: { maxLength: 20 } } },
            { name: 'get-env', deny: true },
          ],
          default: 'deny',
        },
        http: { url: `${origin(upstream)}/mcp`, headers: { 'x-api-key': 'gateway-upstream-key' } },
      },
    ],
  });
  viaHono = await listen((request) => gateway.fetch(request));
  const observed: Gateway = {
    ...gateway,
    fetch: (request, info) => {
      parsedByListener.push(info?.parsedBody !== undefined);
      return gateway.fetch(request, info);
    },
    answer: (request, info, holdMs) => {
      parsedByListener.push(info.parsedBody !== undefined);
      return gateway.answer(request, info, holdMs);
    },
  };
  viaNode = await listenGateway(observed, '127.0.0.1', 0);
});

afterAll(async () => {
  await viaNode?.close(); // and the gateway
  await viaHono?.close();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

const MCP = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };
const call = (id: number, name: string, message: string) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: { message } } });

/** A POST as a client sends it; a header given as '' is left out. */
function post(server: Listening | ListeningGateway, body: BodyInit, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  const sent = Object.fromEntries(Object.entries({ ...MCP, authorization: `Bearer ${TOKEN}`, ...headers }).filter(([, value]) => value !== ''));
  return fetch(`${'origin' in server ? server.origin : server.url}/scripted/mcp`, { method: 'POST', headers: sent, body, ...(signal ? { signal } : {}), duplex: 'half' } as RequestInit);
}

/** A POST through node:http, which sends a header given as an array as one field per value (fetch joins them). */
function rawPost(url: string, body: string, headers: Record<string, string | string[]>): Promise<{ status: number; challenge: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, challenge: response.headers['www-authenticate'], body: text }));
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

/** What a client sees of an answer (the framing, Content-Length or chunked, aside). */
async function seenByClient(response: Response) {
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    challenge: response.headers.get('www-authenticate'),
    session: response.headers.get('mcp-session-id'),
    body: await response.text(),
  };
}

async function initialize(server: Listening | ListeningGateway, token = TOKEN): Promise<string> {
  const response = await post(
    server,
    JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } } }),
    { authorization: `Bearer ${token}` },
  );
  await response.text();
  return response.headers.get('mcp-session-id')!;
}

describe('MCP POSTs served by the node listener', () => {
  it('answers every refusal exactly as the @hono/node-server path does, before the upstream', async () => {
    const session = await initialize(viaHono);
    const withSession = { 'mcp-session-id': session };
    // [what, body, headers, whether the listener reads and parses the body itself]
    const cases: [string, BodyInit | (() => BodyInit), Record<string, string>, boolean][] = [
      ['no token', call(2, 'echo', 'hi'), { authorization: '' }, true],
      ['unknown token', call(2, 'echo', 'hi'), { authorization: 'Bearer nobody-0123456789' }, true],
      ['malformed Authorization', call(2, 'echo', 'hi'), { authorization: 'Bearer a b' }, true],
      ['not JSON', '{"jsonrpc": "2.0", ', withSession, false],
      ['not JSON, no token', 'nope', { authorization: '' }, false],
      ['a batch', `[${call(2, 'echo', 'hi')}]`, withSession, true],
      ['JSON null', 'null', withSession, true],
      ['a body over the cap', `{"pad":"${'x'.repeat(1_048_576)}"}`, withSession, false],
      ['a body over the cap without Content-Length', () => streamOf(`{"pad":"${'x'.repeat(1_048_576)}"}`), withSession, false],
      ['a foreign Origin', call(2, 'echo', 'hi'), { ...withSession, origin: 'https://evil.example' }, true],
      ['a denied tool', call(2, 'get-env', 'hi'), withSession, true],
      ['a tool the policy does not name', call(2, 'rm-rf', 'hi'), withSession, true],
      ['an argument over its max length', call(2, 'echo', 'x'.repeat(21)), withSession, true],
      ['Mcp-Name disagreeing with the body', call(2, 'echo', 'hi'), { ...withSession, 'mcp-method': 'tools/call', 'mcp-name': 'get-env' }, true],
      ['a session the gateway does not know', call(2, 'echo', 'hi'), { 'mcp-session-id': 'made-up-session' }, true],
      ["someone else's session", call(2, 'echo', 'hi'), { ...withSession, authorization: 'Bearer bob-token-0123456789' }, true],
    ];
    for (const [what, body, headers, parsedByItself] of cases) {
      const before = seen.length;
      const hono = await seenByClient(await post(viaHono, typeof body === 'function' ? body() : body, headers));
      const node = await seenByClient(await post(viaNode, typeof body === 'function' ? body() : body, headers));
      expect(hono.status >= 400 || hono.body.includes('"error"'), `${what} is refused`).toBe(true);
      expect(node, what).toEqual(hono);
      expect(parsedByListener.at(-1), `${what}: served by the listener's own path`).toBe(parsedByItself);
      expect(seen.length, `${what}: nothing reached the upstream`).toBe(before);
    }
  });

  it('reads a header sent twice as the web Request does: two Authorization fields are no one bearer token', async () => {
    const session = await initialize(viaHono);
    // Node's incoming.headers keeps only the first Authorization: read that way, the valid token would pass.
    const twice = { ...MCP, 'mcp-session-id': session, authorization: [`Bearer ${TOKEN}`, 'Bearer other-token-0123456789'] };
    const before = seen.length;
    const hono = await rawPost(`${viaHono.origin}/scripted/mcp`, call(2, 'echo', 'hi'), twice);
    const node = await rawPost(`${viaNode.url}/scripted/mcp`, call(2, 'echo', 'hi'), twice);
    expect(hono.status).toBe(400);
    expect(node).toEqual(hono);
    expect(parsedByListener.at(-1)).toBe(true);
    expect(seen.length).toBe(before);
  });

  it('serves an allowed call and a filtered list as the @hono/node-server path does', async () => {
    const session = await initialize(viaNode);
    const list = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} });
    for (const body of [call(2, 'echo', 'hi'), list]) {
      const hono = await seenByClient(await post(viaHono, body, { 'mcp-session-id': session }));
      const answered = await post(viaNode, body, { 'mcp-session-id': session });
      // Complete at once: sent whole, with its length.
      expect(answered.headers.get('content-length')).not.toBeNull();
      const node = await seenByClient(answered);
      expect(node).toEqual(hono);
      expect(node.status).toBe(200);
    }
    const listed = await (await post(viaNode, list, { 'mcp-session-id': session })).text();
    expect(listed).toContain('"cacheScope":"private"');
    expect(listed).toContain('"echo"');
    expect(listed).not.toContain('get-env');
    const recorded = decisions.filter((record) => record.upstream === 'scripted' && record.result === 'allow' && record.outcome === 'success');
    expect(recorded.length).toBeGreaterThan(0);
  });

  it("forwards the message that was authorized, with the gateway's header and never the caller's Authorization or cookies", async () => {
    const session = await initialize(viaNode);
    const before = seen.length;
    // Duplicate keys: the policy saw the last "name" (JSON.parse); the upstream must not be able to read the first.
    const sent = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get-env","name":"echo","arguments":{"message":"hi"}}}`;
    const response = await post(viaNode, sent, { 'mcp-session-id': session, cookie: 'sid=alice-browser-session' });
    expect(await response.text()).toContain('Echo: hi');
    const forwarded = seen.slice(before);
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]!.body).toBe(JSON.stringify(JSON.parse(sent)));
    expect(forwarded[0]!.body).not.toContain('get-env');
    expect(forwarded[0]!.headers.authorization).toBeUndefined();
    expect(forwarded[0]!.headers.cookie).toBeUndefined();
    expect(forwarded[0]!.headers['x-api-key']).toBe('gateway-upstream-key');
    expect(forwarded[0]!.headers['mcp-session-id']).toBe(session);
  });

  it('hands a held answer on as the very bytes the upstream sent, head and body, even bytes that are not UTF-8', async () => {
    const session = await initialize(viaNode);
    const bodies = {
      json: (id: unknown) =>
        Buffer.concat([Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[{"type":"text","text":"`), Buffer.from([0xff, 0xc3, 0xa9]), Buffer.from('"}]}}')]),
      sse: (id: unknown) => Buffer.concat([Buffer.from('event: message\nid: 1\ndata: '), bodies.json(id), Buffer.from('\n\n')]),
    };
    for (const kind of ['json', 'sse'] as const) {
      scripts.set(`bytes-${kind}`, (message, res) => {
        res.writeHead(200, { 'content-type': kind === 'json' ? 'application/json' : 'text/event-stream', 'cache-control': 'no-cache' }).end(bodies[kind](message.id));
      });
      const body = call(11, 'echo', `bytes-${kind}`);
      const { head, bytes } = await new Promise<{ head: string; bytes: Buffer }>((resolve, reject) => {
        const url = new URL(`${viaNode.url}/scripted/mcp`);
        const sent = httpRequest(url, { method: 'POST', headers: { ...MCP, authorization: `Bearer ${TOKEN}`, 'mcp-session-id': session, 'content-length': Buffer.byteLength(body) } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ head: JSON.stringify([response.statusCode, response.rawHeaders.filter((_, i) => i % 2 === 0)]), bytes: Buffer.concat(chunks) }));
        });
        sent.on('error', reject);
        sent.end(body);
      });
      expect(bytes.toString('hex')).toBe(bodies[kind](11).toString('hex'));
      expect(head).toBe(JSON.stringify([200, ['content-type', 'cache-control', 'content-length', 'Date', 'Connection', 'Keep-Alive']]));
    }
  });

  it('passes each SSE event while the upstream is still answering', async () => {
    const session = await initialize(viaNode);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    scripts.set('slow', (message, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } }));
      // The result only once the client has the first event: a gateway holding events back never gets it.
      void released.then(() => res.end(sse({ jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: 'done' }] } })));
    });
    const response = await post(viaNode, call(9, 'echo', 'slow'), { 'mcp-session-id': session });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('notifications/progress');
    expect(text).not.toContain('"done"');
    release();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('"done"');
  });

  it('a client that goes away mid-stream ends the upstream request', async () => {
    const session = await initialize(viaNode);
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    scripts.set('forever', (_message, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } }));
      res.once('close', upstreamClosed);
    });
    const abort = new AbortController();
    const response = await post(viaNode, call(10, 'echo', 'forever'), { 'mcp-session-id': session }, abort.signal);
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    await closed;
  });
});

function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}
