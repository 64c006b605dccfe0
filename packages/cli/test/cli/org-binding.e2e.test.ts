/**
 * Outside attack, issue 10, finding 1, reproduced as reported: the example
 * company (its resource serves Acme), an operator adds `globex` and Gina,
 * Management in Globex, with the real `gatehouse` CLI; Gina starts an
 * authorization for the demo resource with scope=finance:read:revenue.
 * She must get no consent, no code and no token, and `revenue_report` must
 * stay out of reach even with a token shaped as the old code issued it;
 * the refusal is recorded in Globex's audit chain.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { randomToken, tokenHash } from '@gatehouse-auth/core';
import { loadConfigFile } from '../../src/config/load.ts';
import { startGatehouse, type RunningGatehouse } from '../../src/server/start.ts';
import { createLogger } from '../../src/server/logger.ts';
import { startDemoMcpServer } from '../../src/commands/dev-mcp.ts';
import type { GatehouseConfig } from '../../src/config/schema.ts';
import { EXAMPLE_CONFIG, freePort, runCli } from './run.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const REDIRECT = 'http://127.0.0.1:9/callback';
let dir: string;
let databaseUrl: string;
let gatehouse: RunningGatehouse;
let demo: { url: string; close(): Promise<void> } | undefined;
let resource: string;

/** The example config with the demo resource (and its resource server) on a free port, so a running `gatehouse dev` does not collide. */
function pointedAt(config: GatehouseConfig, uri: string): GatehouseConfig {
  return {
    ...config,
    resources: config.resources.map((r) => ({ ...r, uri })),
    clients: config.clients.map((c) => (c.resource_server_for.length > 0 ? { ...c, resource_server_for: [uri] } : c)),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-org-binding-'));
  databaseUrl = `sqlite:${join(dir, 'gatehouse.sqlite')}`;
  resource = `http://127.0.0.1:${await freePort()}/mcp`;
  const config = pointedAt(await loadConfigFile(EXAMPLE_CONFIG, { allowLiteralSecrets: true }), resource);
  const quiet = createLogger({ level: 'warn', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  gatehouse = await startGatehouse({ databaseUrl, config, port: 0, logger: quiet });
  // The reproduction's first two steps, with the CLI an operator uses.
  const org = await runCli(['orgs', 'add', '--slug', 'globex', '--name', 'Globex', '--database-url', databaseUrl]);
  expect(org.code, org.stderr).toBe(0);
  const user = await runCli(['users', 'add', '--email', 'gina@globex.test', '--name', 'Gina', '--password-stdin', '--org', 'globex', '--roles', 'Management', '--database-url', databaseUrl], {
    input: 'gina-globex-password\n',
  });
  expect(user.code, user.stderr).toBe(0);
  demo = await startDemoMcpServer(config, EXAMPLE_CONFIG, gatehouse.issuer, resource, quiet, gatehouse.store);
  expect(demo).toBeDefined();
});

afterAll(async () => {
  await demo?.close();
  await gatehouse?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A cookie-keeping user agent over fetch, following nothing by itself. */
function userAgent() {
  const cookies = new Map<string, string>();
  return async (url: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return response;
  };
}

const csrfOf = (html: string): string => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe("Organizations bound resources: a Management member of another org never reaches Acme's revenue (issue 10, finding 1)", () => {
  it("Gina (Management in globex) gets no consent, no code and no token for the acme resource; the refusal is in globex's audit", async () => {
    const registered = await fetch(`${gatehouse.issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Attacker assistant', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
    });
    const { client_id } = (await registered.json()) as { client_id: string };
    const verifier = randomToken(48);
    const query = new URLSearchParams({
      response_type: 'code',
      client_id,
      redirect_uri: REDIRECT,
      resource,
      scope: 'finance:read:revenue',
      state: 's1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const browse = userAgent();
    const started = await browse(`${gatehouse.issuer}/authorize?${query}`);
    expect(started.status).toBe(302);
    const loginUrl = started.headers.get('location')!;
    const interaction = /interaction=(ia_[A-Za-z0-9_-]+)/.exec(loginUrl)![1]!;
    const loginPage = await (await browse(loginUrl)).text();
    const form = new URLSearchParams({ csrf: csrfOf(loginPage), interaction, email: 'gina@globex.test', password: 'gina-globex-password' });
    const signedIn = await browse(`${gatehouse.issuer}/login`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: gatehouse.issuer } });
    expect(signedIn.status).toBe(303);
    const page = await browse(signedIn.headers.get('location')!);
    // Not "Allow … to access Acme internal tools?": a local error page, and no redirect carrying a code.
    expect(page.status).toBe(403);
    expect(page.headers.get('location')).toBeNull();
    const html = await page.text();
    expect(html).not.toMatch(/Allow .* to access/);
    expect(html).toContain('Acme internal tools is not available to any organization you belong to');

    const gina = (await gatehouse.store.users.getByEmail('gina@globex.test'))!;
    const globex = (await gatehouse.store.orgs.getBySlug('globex'))!;
    expect(await gatehouse.store.grants.listForUser(gina.id)).toEqual([]);
    const globexAudit = await gatehouse.store.audit.scan(globex.id, 0, 100);
    expect(globexAudit.map((r) => r.type)).toContain('access.refused');
    expect(globexAudit.find((r) => r.type === 'access.refused')).toMatchObject({ result: 'denied', userId: gina.id, orgId: globex.id });
  });

  it('revenue_report stays out of reach even with a token shaped as the old code issued it (org_id=globex): 401 at the MCP server', async () => {
    const gina = (await gatehouse.store.users.getByEmail('gina@globex.test'))!;
    const globex = (await gatehouse.store.orgs.getBySlug('globex'))!;
    const access = randomToken();
    const now = Date.now();
    await gatehouse.store.tokens.insert([
      {
        hash: tokenHash(access),
        kind: 'access',
        format: 'opaque',
        grantId: null,
        familyId: 'fam_old_code',
        clientId: 'internal-company-mcp',
        userId: gina.id,
        orgId: globex.id,
        resource,
        scopes: ['finance:read:revenue'],
        createdAt: now,
        expiresAt: now + 3_600_000,
        revokedAt: null,
        rotatedAt: null,
        parentHash: null,
      },
    ]);
    const response = await fetch(demo!.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'revenue_report', arguments: {} } }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await response.text()).not.toMatch(/revenue|\d{3},\d{3}/i);
  });
});
