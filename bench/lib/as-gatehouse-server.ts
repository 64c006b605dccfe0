/**
 * Benchmark child: Gatehouse with a SQLite file store (WAL), served by
 * @hono/node-server on 127.0.0.1, seeded with one org, user, resource and
 * the benchmark clients. Prints BenchServerInfo as one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { sql } from 'kysely';
import { LocalEventBus, newId, randomToken, sha256, systemClock, type Client } from '@gatehouse-auth/core';
import { createStore, kyselyOf, type Store } from '@gatehouse-auth/store';
import { createAuthorizationServerApp, resolveOptions, type ServerContext } from '@gatehouse-auth/authorization-server';
import { AGENT, INTROSPECTION_TOKENS, PUBLIC_CLIENT, REDIRECT, REFRESH_TOKENS, RESOURCE, RESOURCE_SERVER, SCOPE, type BenchServerInfo } from './as-shared.ts';
import { announceReady } from './child.ts';
import { basicAuth, form } from './load.ts';
import { createHash } from 'node:crypto';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
/** BENCH_STORE overrides the store URL (e.g. `sqlite::memory:` to see what the disk costs, or a postgres:// URL). */
const store = await createStore(process.env.BENCH_STORE || `sqlite:${join(dir, 'gatehouse.db')}`, { tokenWriter: process.env.BENCH_TOKEN_WRITER === 'inline' ? 'inline' : 'thread' });
const ctx: ServerContext = {
  store,
  events: new LocalEventBus(),
  clock: systemClock,
  options: resolveOptions({ issuer: 'http://127.0.0.1' }),
  log: (level, message, fields) => {
    if (level === 'error') console.error(message, fields);
  },
};
if (process.env.BENCH_SQLITE_PRAGMA) await sql.raw(`PRAGMA ${process.env.BENCH_SQLITE_PRAGMA}`).execute(kyselyOf(store).db);
await seed(store, Date.now());
const app = createAuthorizationServerApp(ctx);

const tokenRequest = async (body: Record<string, string>, authorization?: string) => {
  const response = await app.request('/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    body: form(body),
  });
  if (response.status !== 200) throw new Error(`bench setup: token request answered ${response.status} ${await response.text()}`);
  return (await response.json()) as { access_token: string; refresh_token?: string };
};

const serviceTokens: string[] = [];
for (let i = 0; i < INTROSPECTION_TOKENS; i += 1) {
  serviceTokens.push((await tokenRequest({ grant_type: 'client_credentials', resource: RESOURCE, scope: SCOPE }, basicAuth(AGENT.id, AGENT.secret))).access_token);
}
const userTokens: string[] = [];
for (let i = 0; i < INTROSPECTION_TOKENS; i += 1) userTokens.push((await redeemFreshCode()).access_token);
const refreshTokens = await mintRefreshTokens(REFRESH_TOKENS);

/** Refresh tokens as a client gets them: a consented grant, a code, a redemption with PKCE. */
async function mintRefreshTokens(count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) tokens.push((await redeemFreshCode()).refresh_token!);
  return tokens;
}

async function redeemFreshCode() {
  const now = Date.now();
  const grantId = newId('grt');
  await store.grants.create({ id: grantId, userId: 'usr_bench', orgId: 'org_bench', clientId: PUBLIC_CLIENT, resource: RESOURCE, scopes: SCOPE.split(' '), scopeConsentedAt: {}, expiresAt: null, scopeExpiresAt: {}, createdAt: now, updatedAt: now, revokedAt: null });
  const code = randomToken();
  const verifier = randomToken(48);
  await store.codes.create({
    hash: sha256(code), grantId, clientId: PUBLIC_CLIENT, userId: 'usr_bench', orgId: 'org_bench', redirectUri: REDIRECT,
    codeChallenge: createHash('sha256').update(verifier).digest('base64url'), resource: RESOURCE, scopes: SCOPE.split(' '),
    sessionId: null, authTime: now, createdAt: now, expiresAt: now + 60_000, consumedAt: null,
  });
  return tokenRequest({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, resource: RESOURCE, client_id: PUBLIC_CLIENT });
}

async function seed(target: Store, now: number): Promise<void> {
  await target.roles.upsert({ name: 'Member', description: 'Members', permissions: ['can_view_resource'] });
  await target.scopes.upsert({ name: 'crm:read', kind: 'org', sensitivity: 'routine', allowedRoles: [], optional: false, description: 'Read the CRM' });
  await target.scopes.upsert({ name: 'crm:write', kind: 'org', sensitivity: 'routine', allowedRoles: ['Member'], optional: false, description: 'Write the CRM' });
  await target.resources.upsert({ uri: RESOURCE, name: 'CRM', scopes: SCOPE.split(' '), organizations: ['org_bench'], multiTenant: false, createdAt: now, updatedAt: now });
  await target.orgs.create({ id: 'org_bench', slug: 'bench', name: 'Bench', auditRetentionDays: null, createdAt: now, updatedAt: now });
  await target.users.create({ id: 'usr_bench', email: 'bench@example.com', name: 'Bench', passwordHash: null, status: 'active', createdAt: now, updatedAt: now });
  await target.orgs.upsertMembership({ userId: 'usr_bench', orgId: 'org_bench', roles: ['Member'], createdAt: now, updatedAt: now });
  const client = (fields: Partial<Client> & Pick<Client, 'id'>): Client => ({
    kind: 'preregistered', name: fields.id, redirectUris: [], grantTypes: [], tokenEndpointAuthMethod: 'client_secret_basic', secretHash: null,
    applicationType: 'web', logoUri: null, clientUri: null, policyUri: null, tosUri: null, scope: null, orgId: null, roles: [], resourceServerFor: [], status: 'active',
    registrationAccessTokenHash: null, metadataExpiresAt: null, createdAt: now, updatedAt: now, ...fields,
  });
  await target.clients.create(client({ id: AGENT.id, kind: 'service', grantTypes: ['client_credentials'], secretHash: sha256(AGENT.secret), orgId: 'org_bench', roles: ['Member'] }));
  await target.clients.create(client({ id: RESOURCE_SERVER.id, secretHash: sha256(RESOURCE_SERVER.secret), resourceServerFor: [RESOURCE] }));
  await target.clients.create(client({ id: PUBLIC_CLIENT, redirectUris: [REDIRECT], grantTypes: ['authorization_code', 'refresh_token'], tokenEndpointAuthMethod: 'none', applicationType: 'native' }));
}

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (address: AddressInfo) => {
  const info: BenchServerInfo = { url: `http://127.0.0.1:${address.port}`, serviceTokens, userTokens, refreshTokens };
  announceReady(info);
});

process.on('message', async (question) => {
  if (typeof question === 'string' && question.startsWith('refresh-tokens:')) process.send!(await mintRefreshTokens(Number(question.split(':')[1])));
  if (question === 'cpu') {
    const usage = process.cpuUsage();
    process.send!(usage.user + usage.system);
  }
  if (question === 'token-count') {
    const { rows } = await sql<{ n: number }>`select count(*) as n from tokens`.execute(kyselyOf(store).db);
    process.send!(Number(rows[0]?.n ?? 0));
  }
});

process.on('SIGTERM', () => {
  server.close();
  void store.close().then(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
