/**
 * Issue 14's must-show, end to end: unmodified MCP servers (server-everything
 * over Streamable HTTP and stdio, server-filesystem over stdio) behind the
 * gateway, driven by the official SDK client holding a Gatehouse token from
 * a real login (headless Chromium). Allowed tools behave as when called
 * directly (progress, sampling); forbidden ones are hidden and refused
 * before the upstream sees them; stdio sessions of two users are isolated;
 * revoking a user closes their upstream sessions within a second.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { launchBrowser } from '../../authorization-server/test/support/browser.ts';
import type { RecordingOAuthProvider } from '../../authorization-server/test/support/mcp-client-provider.ts';
import { ALICE, BOB, startGatewayStack, type GatewayStack } from './support/gateway-stack.ts';
import { connectAs, signIn } from './support/login.ts';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

let stack: GatewayStack;
let browser: Browser;
const resource = (name: string) => stack.gateway.resources[name]!;

beforeAll(async () => {
  stack = await startGatewayStack();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;

/** A client that can sample: answers sampling/createMessage as a host application would. */
function samplingClient(): Client {
  const client = new Client({ name: 'gateway-e2e', version: '1.0.0' }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => ({
    model: 'test-model',
    role: 'assistant',
    content: { type: 'text', text: `sampled: ${(request.params.messages[0]!.content as { text: string }).text}` },
  }));
  return client;
}

async function directClient(url: string): Promise<Client> {
  const client = samplingClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

describe.each([
  { name: 'everything', label: 'server-everything over Streamable HTTP' },
  { name: 'everything-stdio', label: 'server-everything over stdio' },
])('The gateway in front of $label', ({ name }) => {
  let alice: RecordingOAuthProvider;
  let client: Client;
  let direct: Client;

  beforeAll(async () => {
    alice = await signIn(browser, resource(name), ALICE);
    client = await connectAs(alice, resource(name), samplingClient());
    direct = await directClient(stack.everythingHttp.url);
  });
  afterAll(async () => {
    await client?.close();
    await direct?.close();
  });

  it('grants what the consent allowed: everything:use, not the Management-only everything:admin', () => {
    expect(alice.tokens()?.scope?.split(' ').sort()).toEqual(['everything:use']);
  });

  it('lists only the tools the policy lets Alice use, marked cacheScope private', async () => {
    const listed = await client.listTools();
    const names = listed.tools.map((tool) => tool.name).sort();
    const all = (await direct.listTools()).tools.map((tool) => tool.name);
    expect(all).toEqual(expect.arrayContaining(['get-env', 'gzip-file-as-resource', 'get-tiny-image']));
    expect(names).toEqual(all.filter((tool) => ['echo', 'get-sum'].includes(tool) || tool.startsWith('trigger-')).sort());
    expect((listed as Record<string, unknown>).cacheScope).toBe('private');
  });

  it('an allowed tool answers exactly as when called directly', async () => {
    for (const [tool, args] of [
      ['echo', { message: 'hello through the gateway' }],
      ['get-sum', { a: 2, b: 40 }],
    ] as const) {
      expect(await client.callTool({ name: tool, arguments: args })).toEqual(await direct.callTool({ name: tool, arguments: args }));
    }
  });

  it('relays progress notifications as they happen', async () => {
    const progress: number[] = [];
    const result = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.6, steps: 3 } }, undefined, {
      onprogress: (update) => progress.push(update.progress),
    });
    expect(progress).toEqual([1, 2, 3]);
    expect(text(result)).toBe('Long running operation completed. Duration: 0.6 seconds, Steps: 3.');
  });

  it('relays a sampling round trip (server-to-client request and its answer)', async () => {
    const result = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'ping', maxTokens: 10 } });
    expect(JSON.stringify(result)).toContain('sampled: Resource trigger-sampling-request context: ping');
  });

  it('refuses a forbidden tool (deny rule) with JSON-RPC -32003, and an unnamed one by default', async () => {
    const before = stack.decisions.length;
    await expect(client.callTool({ name: 'get-env', arguments: {} })).rejects.toMatchObject({ code: -32003, message: expect.stringContaining("the gateway's policy forbids tool get-env") });
    await expect(client.callTool({ name: 'get-tiny-image', arguments: {} })).rejects.toMatchObject({ code: -32003 });
    const denied = stack.decisions.slice(before);
    expect(denied.map((d) => [d.upstream, d.tool, d.result])).toEqual([
      [name, 'get-env', 'deny'],
      [name, 'get-tiny-image', 'deny'],
    ]);
  });

  it('refuses a tool needing a scope Alice does not hold with 403 insufficient_scope (step-up), not at the upstream', async () => {
    const token = alice.tokens()!.access_token;
    const response = await rawCall(resource(name), token, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'gzip-file-as-resource', arguments: {} } });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(response.headers.get('www-authenticate')).toContain('scope="everything:admin"');
  });

  it('refuses an argument over its maximum length before the upstream sees it', async () => {
    await expect(client.callTool({ name: 'echo', arguments: { message: 'x'.repeat(201) } })).rejects.toMatchObject({
      code: -32003,
      message: 'MCP error -32003: Forbidden: argument message is longer than 200 characters',
    });
  });

  it('audits every allowed call after the upstream answered, with upstream, outcome and duration', async () => {
    await client.callTool({ name: 'echo', arguments: { message: 'audited' } });
    const record = stack.decisions.filter((d) => d.upstream === name && d.tool === 'echo' && d.result === 'allow').at(-1)!;
    expect(record).toMatchObject({ upstream: name, kind: 'tool', arguments: { message: 'audited' }, outcome: 'success', clientId: alice.clientInfo!.client_id });
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
    expect(record.principal.subject).toBe(await stack.userId(ALICE.email));
  });
});

describe('The gateway in front of server-filesystem (stdio), one process per user and client session', () => {
  let alice: RecordingOAuthProvider;
  let bob: RecordingOAuthProvider;
  let aliceClient: Client;
  let bobClient: Client;
  let aliceHome: string;
  let bobHome: string;

  beforeAll(async () => {
    alice = await signIn(browser, resource('files'), ALICE);
    bob = await signIn(browser, resource('files'), BOB);
    aliceClient = await connectAs(alice, resource('files'));
    bobClient = await connectAs(bob, resource('files'));
    aliceHome = join(stack.homes, await stack.userId(ALICE.email));
    bobHome = join(stack.homes, await stack.userId(BOB.email));
  });
  afterAll(async () => {
    await aliceClient?.close().catch(() => {});
    await bobClient?.close().catch(() => {});
  });

  it('what one user writes is invisible to the other', async () => {
    await aliceClient.callTool({ name: 'write_file', arguments: { path: join(aliceHome, 'notes.txt'), content: 'alice only' } });
    expect(readFileSync(join(aliceHome, 'notes.txt'), 'utf8')).toBe('alice only');
    const bobsView = await bobClient.callTool({ name: 'list_directory', arguments: { path: bobHome } });
    expect(text(bobsView)).not.toContain('notes.txt');
    // Bob naming Alice's file: refused by the policy (outside his prefix) before his process sees it.
    await expect(bobClient.callTool({ name: 'read_text_file', arguments: { path: join(aliceHome, 'notes.txt') } })).rejects.toMatchObject({
      code: -32003,
      message: `MCP error -32003: Forbidden: argument path is outside ${bobHome}`,
    });
    expect(stack.gateway.sessions('files', await stack.userId(ALICE.email))).toBe(1);
    expect(stack.gateway.sessions('files', await stack.userId(BOB.email))).toBe(1);
  });

  it('refuses a path outside the prefix and the upstream never sees the call (no file written)', async () => {
    const outside = join(aliceHome, '..', 'escaped.txt');
    await expect(aliceClient.callTool({ name: 'write_file', arguments: { path: outside, content: 'x' } })).rejects.toMatchObject({
      code: -32003,
      message: `MCP error -32003: Forbidden: argument path is outside ${aliceHome}`,
    });
    expect(existsSync(join(stack.homes, 'escaped.txt'))).toBe(false);
    const denial = stack.decisions.filter((d) => d.upstream === 'files' && d.result === 'deny').at(-1)!;
    expect(denial).toMatchObject({ tool: 'write_file', reason: `argument path is outside ${aliceHome}` });
  });

  it('hides and refuses the tools no rule allows (move_file, create_directory…)', async () => {
    const names = (await aliceClient.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('write_file');
    expect(names).not.toContain('move_file');
    await expect(aliceClient.callTool({ name: 'move_file', arguments: { source: join(aliceHome, 'notes.txt'), destination: join(aliceHome, 'moved.txt') } })).rejects.toMatchObject({ code: -32003 });
  });

  it("another user's session id reaches nothing (404, as an unknown session)", async () => {
    const aliceSession = (aliceClient.transport as StreamableHTTPClientTransport).sessionId!;
    const response = await rawCall(
      resource('files'),
      bob.tokens()!.access_token,
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_directory', arguments: { path: bobHome } } },
      { 'mcp-session-id': aliceSession },
    );
    expect(response.status).toBe(404);
  });

  it('caps sessions per user with a clear JSON-RPC error', async () => {
    const second = await connectAs(alice, resource('files'));
    try {
      const third = new Client({ name: 'gateway-e2e', version: '1.0.0' });
      await expect(third.connect(new StreamableHTTPClientTransport(new URL(resource('files')), { authProvider: alice }))).rejects.toThrow(/at most 2 per user/);
    } finally {
      await second.close();
    }
  });

  it("revoking a user's tokens closes their upstream sessions within one second", async () => {
    const bobId = await stack.userId(BOB.email);
    expect(stack.gateway.sessions('files', bobId)).toBe(1);
    const revokedAt = Date.now();
    const response = await fetch(`${stack.gatehouse.issuer}/admin/users/${bobId}/revoke-tokens`, { method: 'POST', headers: { authorization: `Bearer ${stack.adminKey}` } });
    expect(response.status).toBe(200);
    await vi.waitFor(() => expect(stack.gateway.sessions('files', bobId)).toBe(0), { timeout: 1000, interval: 20 });
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    expect(stack.gateway.sessions('files', await stack.userId(ALICE.email))).toBeGreaterThan(0);
  });
});

function rawCall(url: string, token: string, message: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18', ...headers },
    body: JSON.stringify(message),
  });
}
