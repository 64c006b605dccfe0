/**
 * A Gatehouse authorization server in memory for the token-side suites:
 * SQLite store, frozen clock, recorded events, and a small access model
 * (one org, two users, roles, scopes, one protected resource, clients of
 * each kind). Authorization codes are written straight to the store as the
 * authorize endpoint would, so these suites need no browser flow.
 */
import { createHash } from 'node:crypto';
import { LocalEventBus, ManualClock, newId, randomToken, sha256, type Client, type GatehouseEvent } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { clientRecord, createTestStore } from '@gatehouse-auth/store/testing';
import { createAuthorizationServerApp, resolveOptions, type PartialOptions, type ServerContext } from '../../src/index.ts';

export const ISSUER = 'https://as.example.com';
export const RESOURCE = 'https://mcp.example.com/mcp';
export const OTHER_RESOURCE = 'https://other.example.com/mcp';
export const REDIRECT = 'http://127.0.0.1/cb';
export const ORG = 'org_acme';
export const ALICE = 'usr_alice';
export const BOB = 'usr_bob';
export const SECRET = 'correct-horse-battery-staple-secret';

export type Recorded = GatehouseEvent & { at: number };

export interface Fixture {
  ctx: ServerContext;
  store: Store;
  clock: ManualClock;
  events: Recorded[];
  app: ReturnType<typeof createAuthorizationServerApp>;
  close(): Promise<void>;
}

/** `engine: 'postgres'` runs on a fresh PostgreSQL schema (dropped by close); callers gate it with requirePostgres. */
export async function createFixture(options: Omit<PartialOptions, 'issuer'> = {}, engine: 'sqlite' | 'postgres' = 'sqlite'): Promise<Fixture> {
  const testStore = engine === 'postgres' ? await createTestStore('postgres') : undefined;
  const store = testStore?.store ?? (await createStore('sqlite::memory:'));
  const clock = new ManualClock();
  const bus = new LocalEventBus(
    () => clock.now(),
    (error) => {
      throw error;
    },
  );
  const events: Recorded[] = [];
  bus.subscribe((event) => void events.push(event));
  const ctx: ServerContext = { store, events: bus, clock, options: resolveOptions({ issuer: ISSUER, ...options }), log: () => {} };
  await seed(store, clock.now());
  return { ctx, store, clock, events, app: createAuthorizationServerApp(ctx), close: () => (testStore ? testStore.cleanup() : store.close()) };
}

function client(now: number, fields: Partial<Client> & Pick<Client, 'id'>): Client {
  return clientRecord({
    redirectUris: [REDIRECT],
    tokenEndpointAuthMethod: 'client_secret_basic',
    secretHash: sha256(SECRET),
    applicationType: 'native',
    createdAt: now,
    updatedAt: now,
    ...fields,
  });
}

async function seed(store: Store, now: number): Promise<void> {
  await store.roles.upsert({ name: 'Admin', description: 'Administrators', permissions: ['can_edit_resource', 'can_view_resource'] });
  await store.roles.upsert({ name: 'Member', description: 'Members', permissions: ['can_view_resource'] });
  const scope = (name: string, kind: 'user' | 'org', sensitivity: 'routine' | 'sensitive' | 'critical', allowedRoles: string[] = []) =>
    store.scopes.upsert({ name, kind, sensitivity, allowedRoles, optional: false, description: name });
  await scope('crm:read', 'org', 'routine');
  await scope('crm:write', 'org', 'sensitive', ['Admin', 'Member']);
  await scope('crm:export', 'org', 'critical', ['Admin']);
  await scope('profile:read', 'user', 'routine');
  await store.resources.upsert({
    uri: RESOURCE,
    name: 'CRM',
    scopes: ['crm:read', 'crm:write', 'crm:export', 'profile:read'],
    organizations: [ORG],
    multiTenant: false,
    createdAt: now,
    updatedAt: now,
  });
  await store.resources.upsert({ uri: OTHER_RESOURCE, name: 'Other', scopes: ['crm:read'], organizations: [ORG], multiTenant: false, createdAt: now, updatedAt: now });
  await store.orgs.create({ id: ORG, slug: 'acme', name: 'Acme', auditRetentionDays: null, createdAt: now, updatedAt: now });
  for (const [id, email] of [
    [ALICE, 'alice@acme.test'],
    [BOB, 'bob@acme.test'],
  ] as const) {
    await store.users.create({ id, email, name: id, passwordHash: null, status: 'active', createdAt: now, updatedAt: now });
  }
  await store.orgs.upsertMembership({ userId: ALICE, orgId: ORG, roles: ['Admin'], createdAt: now, updatedAt: now });
  await store.orgs.upsertMembership({ userId: BOB, orgId: ORG, roles: ['Member'], createdAt: now, updatedAt: now });
  await store.clients.create(client(now, { id: 'public-app', tokenEndpointAuthMethod: 'none', secretHash: null }));
  await store.clients.create(client(now, { id: 'web-app', applicationType: 'web' }));
  await store.clients.create(client(now, { id: 'other-app', tokenEndpointAuthMethod: 'none', secretHash: null }));
  await store.clients.create(client(now, { id: 'resource-server', redirectUris: [], grantTypes: [], resourceServerFor: [RESOURCE, OTHER_RESOURCE] }));
  await store.clients.create(client(now, { id: 'agent', kind: 'service', redirectUris: [], grantTypes: ['client_credentials'], orgId: ORG, roles: ['Member'] }));
}

export const basic = (id: string, secret = SECRET): string => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
export const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

export interface IssuedCode {
  code: string;
  verifier: string;
  grantId: string;
  codeHash: string;
}

/** Writes a grant and an authorization code as /authorize would after consent. */
export async function issueCode(fx: Fixture, opts: { clientId?: string; userId?: string; orgId?: string | null; scopes?: string[]; resource?: string; ttlMs?: number } = {}): Promise<IssuedCode> {
  const now = fx.clock.now();
  const clientId = opts.clientId ?? 'public-app';
  const userId = opts.userId ?? ALICE;
  const orgId = opts.orgId === undefined ? ORG : opts.orgId;
  const scopes = opts.scopes ?? ['crm:read', 'crm:write'];
  const resource = opts.resource ?? RESOURCE;
  const grantId = newId('grt');
  await fx.store.grants.create({
    id: grantId,
    userId,
    orgId,
    clientId,
    resource,
    scopes,
    scopeConsentedAt: Object.fromEntries(scopes.map((scope) => [scope, now])),
    expiresAt: null,
    scopeExpiresAt: {},
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
  });
  const code = randomToken();
  const verifier = randomToken(48);
  await fx.store.codes.create({
    hash: sha256(code),
    grantId,
    clientId,
    userId,
    orgId,
    redirectUri: REDIRECT,
    codeChallenge: s256(verifier),
    resource,
    scopes,
    sessionId: null,
    authTime: now,
    createdAt: now,
    expiresAt: now + (opts.ttlMs ?? 60_000),
    consumedAt: null,
  });
  return { code, verifier, grantId, codeHash: sha256(code) };
}

export interface TokenBody {
  access_token?: string;
  refresh_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

export async function post(fx: Fixture, path: string, form: Record<string, string>, authorization?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (authorization) headers.authorization = authorization;
  return fx.app.request(path, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
}

export async function token(fx: Fixture, form: Record<string, string>, authorization?: string): Promise<{ status: number; body: TokenBody; response: Response }> {
  const response = await post(fx, '/token', form, authorization);
  return { status: response.status, body: (await response.json()) as TokenBody, response };
}

/** Redeems a code for the public client with everything right. */
export async function redeem(fx: Fixture, issued: IssuedCode, extra: Record<string, string> = {}, clientId = 'public-app') {
  return token(fx, { grant_type: 'authorization_code', code: issued.code, code_verifier: issued.verifier, redirect_uri: REDIRECT, resource: RESOURCE, client_id: clientId, ...extra });
}

export async function introspect(fx: Fixture, value: string, caller = 'resource-server'): Promise<Record<string, unknown>> {
  const response = await post(fx, '/introspect', { token: value }, basic(caller));
  if (response.status !== 200) throw new Error(`introspection answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}
