/**
 * The gateway's own behaviour with a fixed set of tokens (no authorization
 * server): transparency for what is allowed (the official SDK client through
 * the gateway, over HTTP and stdio), the user's token never forwarded,
 * routing headers checked against the body, Last-Event-ID resumption,
 * a crashed stdio server restarted with a clear error meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { listen, type Listening } from '../../authorization-server/test/support/listen.ts';
import { createGateway, type Gateway, type GatewayDecisionRecord } from '../src/index.ts';
import { everythingPolicy } from './support/gateway-stack.ts';
import { person, ORG, staticVerifier } from './support/static-verifier.ts';
import { EVERYTHING_BIN, startEverythingHttp, type RunningHttpUpstream } from './support/upstream-servers.ts';

let upstream: RunningHttpUpstream;
let listening: Listening;
let gateway: Gateway;
const decisions: GatewayDecisionRecord[] = [];
/** Every request the HTTP upstream received, as the gateway sent it. */
const seenUpstream: { method: string; headers: Record<string, string> }[] = [];

const TOKENS = { 'alice-token-0123456789': person('usr_alice', ['everything:use']), 'bob-token-0123456789': person('usr_bob', ['everything:use']) };

beforeAll(async () => {
  upstream = await startEverythingHttp();
  listening = await listen();
  gateway = createGateway({
    issuer: 'https://as.acme.test',
    publicUrl: listening.origin,
    verifier: staticVerifier(TOKENS),
    onDecision: (record) => {
      decisions.push(record);
    },
    fetch: async (input, init) => {
      seenUpstream.push({ method: init?.method ?? 'GET', headers: Object.fromEntries(new Headers(init?.headers).entries()) });
      return fetch(input, init);
    },
    upstreams: [
      {
        name: 'everything',
        path: '/everything/mcp',
        scopes: ['everything:use', 'everything:admin'],
        organizations: [ORG],
        policy: everythingPolicy,
        http: { url: upstream.url, headers: { 'x-api-key': 'gateway-upstream-key' } },
      },
      {
        name: 'everything-stdio',
        path: '/everything-stdio/mcp',
        scopes: ['everything:use', 'everything:admin'],
        organizations: [ORG],
        policy: everythingPolicy,
        stdio: { command: process.execPath, args: [EVERYTHING_BIN, 'stdio'], env: { NODE_OPTIONS: '' } },
      },
    ],
  });
  listening.handle((request) => gateway.fetch(request));
});

afterAll(async () => {
  await gateway?.close();
  await listening?.close();
  await upstream?.close();
});

const url = (name: string) => new URL(gateway.resources[name]!);
const bearer = (token: string) => ({ requestInit: { headers: { authorization: `Bearer ${token}` } } });

async function connect(name: string, token = 'alice-token-0123456789'): Promise<Client> {
  const client = new Client({ name: 'proxy-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url(name), bearer(token)));
  return client;
}

describe.each(['everything', 'everything-stdio'])('Through the gateway to %s', (name) => {
  it('the SDK client initializes, lists and calls as it would directly', async () => {
    const client = await connect(name);
    try {
      expect(client.getServerVersion()?.name).toMatch(/everything/);
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      expect(tools).toContain('echo');
      expect(tools).not.toContain('get-env');
      expect(await client.callTool({ name: 'echo', arguments: { message: 'hi' } })).toEqual({ content: [{ type: 'text', text: 'Echo: hi' }] });
    } finally {
      await client.close();
    }
  });

  it('lists only the prompts and resources the policy names, and refuses reading another resource before the upstream', async () => {
    const client = await connect(name);
    try {
      expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['simple-prompt']);
      const resources = (await client.listResources()).resources.map((resource) => resource.uri);
      expect(resources.length).toBeGreaterThan(0);
      expect(resources.every((uri) => uri.startsWith('demo://resource/static/'))).toBe(true);
      const read = await client.readResource({ uri: resources[0]! });
      expect(read.contents[0]?.uri).toBe(resources[0]);
      await expect(client.readResource({ uri: 'demo://resource/session/anything' })).rejects.toMatchObject({ code: -32003 });
      await expect(client.getPrompt({ name: 'args-prompt', arguments: { city: 'x' } })).rejects.toMatchObject({ code: -32003 });
    } finally {
      await client.close();
    }
  });

  it('2026-07-28 routing headers: a Mcp-Name that disagrees with the body is 400 with -32020, before the upstream', async () => {
    const response = await fetch(url(name), {
      method: 'POST',
      headers: { authorization: 'Bearer alice-token-0123456789', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-method': 'tools/call', 'mcp-name': 'echo' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get-env', arguments: {} } }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe(-32020);
  });
});

describe('Through the gateway to an HTTP upstream', () => {
  it("never forwards the user's token or cookies; the upstream gets the gateway's own header", async () => {
    seenUpstream.length = 0;
    const client = await connect('everything');
    await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
    await client.close();
    expect(seenUpstream.length).toBeGreaterThan(0);
    for (const request of seenUpstream) {
      expect(request.headers.authorization).toBeUndefined();
      expect(request.headers.cookie).toBeUndefined();
      expect(request.headers['x-api-key']).toBe('gateway-upstream-key');
    }
  });

  it("a session belongs to its user: Bob cannot use Alice's session id", async () => {
    const client = await connect('everything');
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
    const response = await fetch(url('everything'), {
      method: 'POST',
      headers: { authorization: 'Bearer bob-token-0123456789', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(404);
    expect((await response.json()).error.code).toBe(-32001);
    await client.close();
  });
});

describe('SSE resumption through the stdio bridge', () => {
  it('a client that lost its stream gets the missed events again with Last-Event-ID', async () => {
    const headers = { authorization: 'Bearer alice-token-0123456789', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
    const post = (body: unknown, extra: Record<string, string> = {}) => fetch(url('everything-stdio'), { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body) });
    const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'resume', version: '1' } } });
    const session = init.headers.get('mcp-session-id')!;
    await init.text();
    await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': session })).text();
    const call = await post(
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'trigger-long-running-operation', arguments: { duration: 1.2, steps: 4 }, _meta: { progressToken: 'p1' } } },
      { 'mcp-session-id': session },
    );
    // Read until the first progress event, note its id, then drop the connection.
    const reader = call.body!.getReader();
    let text = '';
    let firstProgressId: string | undefined;
    while (!firstProgressId) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      firstProgressId = /id: (\S+)\ndata: [^\n]*notifications\/progress/.exec(text)?.[1];
    }
    await reader.cancel();
    expect(firstProgressId).toBeDefined();
    // The dropped connection reaches the bridge a moment later (409 while its stream is still open).
    let resumed: Response | undefined;
    await vi.waitFor(
      async () => {
        resumed = await fetch(url('everything-stdio'), { method: 'GET', headers: { ...headers, 'mcp-session-id': session, 'last-event-id': firstProgressId! } });
        if (resumed.status !== 200) await resumed.body?.cancel();
        expect(resumed.status).toBe(200);
      },
      { timeout: 3000, interval: 100 },
    );
    if (!resumed) throw new Error('no resumed stream');
    const replay = resumed.body!.getReader();
    let replayed = '';
    while (!replayed.includes('"id":2')) {
      const { value, done } = await replay.read();
      if (done) break;
      replayed += new TextDecoder().decode(value);
    }
    await replay.cancel();
    expect(replayed).not.toContain('"progress":1,');
    expect(replayed).toContain('"progress":4');
    expect(replayed).toContain('Long running operation completed');
  });
});

describe('A stdio upstream that crashes', () => {
  it('answers the waiting call with a clear JSON-RPC error, restarts, and serves the session again', async () => {
    const client = await connect('everything-stdio');
    try {
      // server-everything exits when its stdin closes; make it crash by killing the child process.
      const pids = await childPids();
      expect(pids.length).toBeGreaterThan(0);
      const call = client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 5, steps: 5 } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      await expect(call).rejects.toMatchObject({ code: -32005, message: expect.stringMatching(/exited before answering; it is being restarted/) });
      await vi.waitFor(async () => expect(await client.callTool({ name: 'echo', arguments: { message: 'back' } })).toEqual({ content: [{ type: 'text', text: 'Echo: back' }] }), {
        timeout: 15_000,
        interval: 200,
      });
    } finally {
      await client.close();
    }
  });
});

/** The server-everything stdio processes this test process started. */
async function childPids(): Promise<number[]> {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(EVERYTHING_BIN) && line.includes(' stdio'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}
