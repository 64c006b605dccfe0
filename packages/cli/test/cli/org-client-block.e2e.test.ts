/**
 * Issue 16, item 2, must-show: the example company on a real listening
 * Gatehouse with the demo MCP server (introspection cache and revocation
 * stream on, as shipped). The resource also serves a second org, Globex.
 * One AI client holds a live token in Acme and one in Globex. Maria, an
 * Acme org admin, blocks the client through the org-admin API: within one
 * second the demo server answers 401 to the Acme token; a new
 * authorization by that client for Acme ends on a page saying Acme blocked
 * it (no redirect, no code); the Globex token still works.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { newId, randomToken, tokenHash } from '@gatehouse-auth/core';
import { loadConfigFile } from '../../src/config/load.ts';
import { startGatehouse, type RunningGatehouse } from '../../src/server/start.ts';
import { createLogger } from '../../src/server/logger.ts';
import { startDemoMcpServer } from '../../src/commands/dev-mcp.ts';
import type { GatehouseConfig } from '../../src/config/schema.ts';
import { EXAMPLE_CONFIG, freePort } from './run.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const REDIRECT = 'http://127.0.0.1:9/callback';
let dir: string;
let gatehouse: RunningGatehouse;
let demo: { url: string; close(): Promise<void> } | undefined;
let resource: string;

/** The example config on a free port, its resource serving Globex too, with Gina as a Globex member. */
function withGlobex(config: GatehouseConfig, uri: string): GatehouseConfig {
  return {
    ...config,
    organizations: [...config.organizations, { slug: 'globex', name: 'Globex', audit_retention_days: null }],
    resources: config.resources.map((r) => ({ ...r, uri, organizations: [...r.organizations, 'globex'] })),
    clients: config.clients.map((c) => (c.resource_server_for.length > 0 ? { ...c, resource_server_for: [uri] } : c)),
    users: [...config.users, { ...config.users[0]!, email: 'gina@globex.test', name: 'Gina', password: 'gina-globex-password', memberships: [{ org: 'globex', roles: ['Engineering'] }] }],
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-org-client-block-'));
  resource = `http://127.0.0.1:${await freePort()}/mcp`;
  const config = withGlobex(await loadConfigFile(EXAMPLE_CONFIG, { allowLiteralSecrets: true }), resource);
  const quiet = createLogger({ level: 'warn', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
  gatehouse = await startGatehouse({ databaseUrl: `sqlite:${join(dir, 'gatehouse.sqlite')}`, config, port: 0, logger: quiet });
  demo = await startDemoMcpServer(config, EXAMPLE_CONFIG, gatehouse.issuer, resource, quiet, gatehouse.store);
  expect(demo).toBeDefined();
});

afterAll(async () => {
  await demo?.close();
  await gatehouse?.close();
  await rm(dir, { recursive: true, force: true });
});

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
const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', origin: gatehouse.issuer } });

/** A live access token for `clientId`, as a code redemption stores it (grant + token), for `email` in `orgSlug`. */
async function liveToken(clientId: string, email: string, orgSlug: string): Promise<string> {
  const user = (await gatehouse.store.users.getByEmail(email))!;
  const org = (await gatehouse.store.orgs.getBySlug(orgSlug))!;
  const now = Date.now();
  const grantId = newId('grt');
  await gatehouse.store.grants.create({
    id: grantId,
    userId: user.id,
    orgId: org.id,
    clientId,
    resource,
    scopes: ['tickets:read'],
    scopeConsentedAt: { 'tickets:read': now },
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
    expiresAt: null,
    scopeExpiresAt: {},
  });
  const access = randomToken();
  await gatehouse.store.tokens.insert([
    {
      hash: tokenHash(access),
      kind: 'access',
      format: 'opaque',
      grantId,
      familyId: newId('fam'),
      clientId,
      userId: user.id,
      orgId: org.id,
      resource,
      scopes: ['tickets:read'],
      createdAt: now,
      expiresAt: now + 3_600_000,
      revokedAt: null,
      rotatedAt: null,
      parentHash: null,
    },
  ]);
  return access;
}

const toolsList = (access: string) =>
  fetch(demo!.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });

describe('Client control per org: an org admin blocks a client (issue 16, item 2)', () => {
  it('the live Acme token is refused by the demo MCP server within one second, a new Acme authorization gets a clear page, Globex is untouched', async () => {
    const registered = await fetch(`${gatehouse.issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Shadow assistant', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
    });
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    const acmeToken = await liveToken(clientId, 'eli@acme.test', 'acme');
    const globexToken = await liveToken(clientId, 'gina@globex.test', 'globex');
    // Both work, and the demo server now holds them in its introspection cache.
    expect((await toolsList(acmeToken)).status).toBe(200);
    expect((await toolsList(globexToken)).status).toBe(200);
    expect((await toolsList(acmeToken)).status).toBe(200);

    // Maria (Management: gatehouse:org:admin in acme) signs in and blocks the client for Acme.
    const maria = userAgent();
    const loginPage = await (await maria(`${gatehouse.issuer}/login`)).text();
    const signedIn = await maria(`${gatehouse.issuer}/login`, form({ csrf: csrfOf(loginPage), email: 'maria@acme.test', password: 'maria-dev-password' }));
    expect([200, 303]).toContain(signedIn.status);
    const acme = (await gatehouse.store.orgs.getBySlug('acme'))!;
    const policy = (await (await maria(`${gatehouse.issuer}/account/orgs/${acme.id}/clients`)).json()) as { mode: string; csrf_token: string };
    expect(policy.mode).toBe('open');
    const blockedAt = performance.now();
    const blocked = await maria(`${gatehouse.issuer}/account/orgs/${acme.id}/clients/block`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: gatehouse.issuer, 'x-csrf-token': policy.csrf_token },
      body: JSON.stringify({ client_id: clientId }),
    });
    expect(blocked.status).toBe(200);
    expect(await blocked.json()).toMatchObject({ ok: true, tokens_revoked: 1 });

    let status = 200;
    while (performance.now() - blockedAt < 1_000) {
      status = (await toolsList(acmeToken)).status;
      if (status === 401) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const refusedAfterMs = performance.now() - blockedAt;
    expect(status).toBe(401);
    expect(refusedAfterMs).toBeLessThan(1_000);

    // The same client, the same resource, another org: untouched.
    expect((await toolsList(globexToken)).status).toBe(200);

    // A new authorization by the client for Acme: a page saying Acme blocked it, no redirect, no code.
    const verifier = randomToken(48);
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      resource,
      scope: 'tickets:read',
      state: 's1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const eli = userAgent();
    const started = await eli(`${gatehouse.issuer}/authorize?${query}`);
    expect(started.status).toBe(302);
    const loginUrl = started.headers.get('location')!;
    const interaction = /interaction=(ia_[A-Za-z0-9_-]+)/.exec(loginUrl)![1]!;
    const eliLogin = await (await eli(loginUrl)).text();
    const eliIn = await eli(`${gatehouse.issuer}/login`, form({ csrf: csrfOf(eliLogin), interaction, email: 'eli@acme.test', password: 'eli-dev-password' }));
    expect(eliIn.status).toBe(303);
    const page = await eli(eliIn.headers.get('location')!);
    expect(page.status).toBe(403);
    expect(page.headers.get('location')).toBeNull();
    const html = await page.text();
    expect(html).toContain('Acme Inc. has blocked Shadow assistant');
    expect(html).not.toMatch(/Allow .* to access/);
    expect(await gatehouse.store.grants.findActive({ userId: (await gatehouse.store.users.getByEmail('eli@acme.test'))!.id, orgId: acme.id, clientId, resource })).toBeUndefined();
    console.log(`org-client-block: the demo server refused the blocked client's token ${refusedAfterMs.toFixed(0)} ms after the block`);
  });
});
