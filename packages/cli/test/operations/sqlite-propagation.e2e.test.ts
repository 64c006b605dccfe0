/**
 * Issue 11, item 4: an admin change made by the CLI against a SQLite
 * database reaches the running server, and through its revocation stream
 * the demo MCP server's introspection cache, within one second. The two
 * processes share nothing but the database file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { EXAMPLE_CONFIG, freePort, runCli, startCli, type LongRunning } from '../cli/run.ts';

const BOT_SECRET = 'ops-bot-secret-for-tests-only-0123456789';
let dir: string;
let dev: LongRunning;
let issuer: string;
let mcpUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-propagation-'));
  const [port, mcpPort] = [await freePort(), await freePort()];
  const example = (await readFile(EXAMPLE_CONFIG, 'utf8')).replaceAll('127.0.0.1:4001', `127.0.0.1:${mcpPort}`);
  // A service agent of acme with the Support role: a token without a browser.
  const bot = `  - client_id: ops-bot\n    name: Ops bot\n    grant_types: [client_credentials]\n    token_endpoint_auth_method: client_secret_basic\n    secret: ${BOT_SECRET}\n    org: acme\n    roles: [Support]\n`;
  // This test is about revocation reaching the resource server; the example's Cedar policies permit no
  // agent acting as itself (policies/cases.yaml), so its resource is served here with scopes only.
  const scopesOnly = example.replace(/^ {4}policy:\n(?: {6}.*\n)+/m, '');
  expect(scopesOnly).not.toContain('policies/baseline.cedar');
  await writeFile(join(dir, 'gatehouse.yaml'), scopesOnly.replace(/^clients:\n/m, `clients:\n${bot}`));
  dev = await startCli(['dev', '--port', String(port), '--config', join(dir, 'gatehouse.yaml')], 'Press Ctrl-C to stop.', { cwd: dir });
  issuer = `http://127.0.0.1:${port}`;
  mcpUrl = `http://127.0.0.1:${mcpPort}/mcp`;
}, 60_000);

afterAll(async () => {
  await dev?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function botToken(): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`ops-bot:${BOT_SECRET}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: mcpUrl, scope: 'tickets:read' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A tools/call as a client sends it; only its status matters here (401 = the token no longer opens the server). */
const callStatus = async (token: string): Promise<number> => {
  const response = await fetch(mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tickets', arguments: {} } }),
  });
  await response.body?.cancel();
  return response.status;
};

describe('CLI admin changes on SQLite reach the running server and its resource servers (issue 11, item 4)', () => {
  it('gatehouse tokens revoke, run as a separate process on the same file: the demo MCP server answers 401 within one second', async () => {
    const token = await botToken();
    const client = new Client({ name: 'propagation', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    try {
      const listed = await client.callTool({ name: 'list_tickets', arguments: {} });
      expect(listed.isError).toBeFalsy();
    } finally {
      await client.close();
    }
    // The token is now in the demo server's introspection cache (60 s with the revocation stream connected).
    expect(await callStatus(token)).not.toBe(401);
    const metrics = await (await fetch(`${issuer}/metrics`)).text();
    expect(metrics).toMatch(/^gatehouse_rs_introspection_cache_total\{result="hit"\} [1-9]\d*$/m);

    const revoke = await runCli(['tokens', 'revoke', '--client', 'ops-bot'], { cwd: dir });
    const revokedAt = Date.now();
    expect(revoke).toMatchObject({ code: 0, stdout: expect.stringMatching(/revoked 1 token of client ops-bot/) });
    let status = await callStatus(token);
    while (status !== 401 && Date.now() - revokedAt < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = await callStatus(token);
    }
    const elapsed = Date.now() - revokedAt;
    expect(status).toBe(401);
    expect(elapsed).toBeLessThan(1_000);
  }, 60_000);

  it('clients disable from the CLI: the disabled service agent’s token stops opening the demo MCP server within one second', async () => {
    const token = await botToken();
    expect(await callStatus(token)).not.toBe(401);
    const disable = await runCli(['clients', 'disable', 'ops-bot'], { cwd: dir });
    const disabledAt = Date.now();
    expect(disable.code).toBe(0);
    let status = await callStatus(token);
    while (status !== 401 && Date.now() - disabledAt < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      status = await callStatus(token);
    }
    expect(status).toBe(401);
    expect(Date.now() - disabledAt).toBeLessThan(1_000);
  }, 60_000);
});
