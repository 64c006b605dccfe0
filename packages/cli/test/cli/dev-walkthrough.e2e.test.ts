/**
 * `gatehouse dev` as the example README tells a person to use it: start it,
 * register an MCP client, sign in in a real browser with the credentials
 * the banner printed, and call the demo MCP server with the token. Eli
 * (Engineering) asks for code and revenue; he may only grant code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { authorizeInBrowser, launchBrowser } from '../../../authorization-server/test/support/browser.ts';
import { EXAMPLE_CONFIG, freePort, runCli, startCli, type LongRunning } from './run.ts';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
let dir: string;
let dev: LongRunning;
let browser: Browser;
let issuer: string;
let mcpUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-walkthrough-'));
  const [port, mcpPort] = [await freePort(), await freePort()];
  const config = join(dir, 'gatehouse.yaml');
  await writeFile(config, (await readFile(EXAMPLE_CONFIG, 'utf8')).replaceAll('127.0.0.1:4001', `127.0.0.1:${mcpPort}`));
  // The config names its Cedar policies relative to itself.
  await cp(join(dirname(EXAMPLE_CONFIG), 'policies'), join(dir, 'policies'), { recursive: true });
  dev = await startCli(['dev', '--port', String(port), '--config', config], 'Press Ctrl-C to stop.', { cwd: dir });
  issuer = `http://127.0.0.1:${port}`;
  mcpUrl = `http://127.0.0.1:${mcpPort}/mcp`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await dev?.stop();
  await rm(dir, { recursive: true, force: true });
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** RFC 7591 registration, as Claude or the MCP Inspector does it, then a browser login with PKCE and the code exchanged for a token. */
async function signIn(email: string, password: string, scope: string): Promise<{ access_token: string; scope: string }> {
  const registration = await fetch(`${issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Walkthrough',
      redirect_uris: [REDIRECT_URI],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      application_type: 'native',
    }),
  });
  expect(registration.status).toBe(201);
  const { client_id } = (await registration.json()) as { client_id: string };

  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${issuer}/authorize`);
  authorize.search = form({
    response_type: 'code',
    client_id,
    redirect_uri: REDIRECT_URI,
    state: 'walkthrough',
    resource: mcpUrl,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    scope,
  });
  const redirected = await authorizeInBrowser(browser, authorize, REDIRECT_URI, { email, password });
  expect(redirected.searchParams.get('state')).toBe('walkthrough');
  const code = redirected.searchParams.get('code');
  expect(code).toBeTruthy();

  const tokenResponse = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'authorization_code', code: code!, redirect_uri: REDIRECT_URI, client_id, code_verifier: verifier, resource: mcpUrl }),
  });
  expect(tokenResponse.status).toBe(200);
  return (await tokenResponse.json()) as { access_token: string; scope: string };
}

async function connected(accessToken: string): Promise<Client> {
  const client = new Client({ name: 'walkthrough', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { authorization: `Bearer ${accessToken}` } } }));
  return client;
}

interface DecisionRow {
  tool: string;
  result: string;
  details?: { policies?: string[] };
}

async function auditedDecisions(): Promise<DecisionRow[]> {
  const query = await runCli(['audit', 'query', '--org', 'acme', '--type', 'authz.decision', '--json'], { cwd: dir });
  expect(query.code).toBe(0);
  const records = JSON.parse(query.stdout) as { records?: DecisionRow[] } | DecisionRow[];
  return Array.isArray(records) ? records : (records.records ?? []);
}

describe('gatehouse dev walkthrough (examples/internal-company/README.md)', () => {
  it('Eli signs in with the printed dev password, gets code:read but not finance:read:revenue, and sees only his tools', async () => {
    const password = /eli@acme\.test\s+(\S+)\s+Engineering in acme/.exec(dev.stdout())?.[1];
    expect(password).toBe('eli-dev-password');
    const token = await signIn('eli@acme.test', password!, 'employees:read:public code:read finance:read:revenue');
    expect(token.scope.split(' ').sort()).toEqual(['code:read', 'employees:read:public']);

    // The demo MCP server started by `gatehouse dev` verifies the token by introspection.
    const client = await connected(token.access_token);
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      expect(tools).toContain('search_code');
      expect(tools).toContain('employee_information_public');
      expect(tools).not.toContain('revenue_report');
      const allowed = await client.callTool({ name: 'search_code', arguments: { query: 'auth' } });
      expect(allowed.isError).toBeFalsy();
      await expect(client.callTool({ name: 'revenue_report', arguments: {} })).rejects.toThrow();
    } finally {
      await client.close();
    }

    // Both decisions are in the org's hash-chained audit log, readable by `gatehouse audit query`.
    const rows = await auditedDecisions();
    expect(rows.find((r) => r.tool === 'search_code')?.result).toBe('success');
    expect(rows.find((r) => r.tool === 'revenue_report')?.result).toBe('denied');
    // dev signs each chain's tail every 10 s; sign it now so verify vouches for the calls just made
    // (the key is the one dev created in .gatehouse, found beside the dev database).
    expect((await runCli(['audit', 'checkpoint', '--org', 'acme'], { cwd: dir })).code).toBe(0);
    const verify = await runCli(['audit', 'verify', '--org', 'acme'], { cwd: dir });
    expect(verify.code, verify.stderr).toBe(0);
  });

  it("the demo server enforces the config's Cedar policies: Support may update its own team's ticket, not Billing's", async () => {
    expect(dev.stdout()).toMatch(/mcp server\s+\S+ \(Cedar policies: .*policies[/\\]tickets\.cedar/);
    const token = await signIn('sam@acme.test', 'sam-dev-password', 'tickets:read ticket:write:update');
    expect(token.scope.split(' ').sort()).toEqual(['ticket:write:update', 'tickets:read']);
    const client = await connected(token.access_token);
    try {
      // T-1 is assigned to Support (examples/internal-company/src/data.ts): the scope and the policy allow it.
      const own = await client.callTool({ name: 'update_ticket', arguments: { ticketId: 'T-1', reply: 'on it' } });
      expect(own.isError).toBeFalsy();
      // T-2 belongs to Billing: Sam's scope allows update_ticket, policies/tickets.cedar forbids it.
      await expect(client.callTool({ name: 'update_ticket', arguments: { ticketId: 'T-2', reply: 'on it' } })).rejects.toThrow(/Support may only update tickets assigned to their team/);
    } finally {
      await client.close();
    }
    const refused = (await auditedDecisions()).find((r) => r.tool === 'update_ticket' && r.result === 'denied');
    expect(refused?.details?.policies).toEqual(['support-updates-own-team-tickets']);
  });
});
