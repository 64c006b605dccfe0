/**
 * A SCIM app over a fresh store (SQLite or PostgreSQL) with one org
 * ("acme") whose directory maps `Engineering` → Engineer and everyone else
 * to Employee, a second org ("globex"), each with its SCIM token, and a
 * recorder of every event the app publishes. `live(userId)` gives the
 * person a grant with an access + refresh token and a login session, the
 * way a signed-in agent holds them.
 */
import { LocalEventBus, newId, randomToken, sha256, type GatehouseEvent, type GroupRoleMapping, type Grant, type Organization, type TokenRecord } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { createScimApp, issueScimToken } from '../src/index.ts';

export const BASE = 'https://gatehouse.acme.test';
export const ENGINEERING_ONLY = 'code:write';
export const EVERYONE = 'tickets:read';

export interface ScimHarness {
  store: Store;
  acme: Organization;
  globex: Organization;
  tokens: { acme: string; globex: string };
  events: (GatehouseEvent & { at: number })[];
  /** Sends a SCIM request to `/scim/v2/<org>/<path>` with acme's token unless `token` says otherwise. */
  scim(method: string, path: string, body?: unknown, options?: { token?: string | null; org?: string; headers?: Record<string, string> }): Promise<Response>;
  /** A grant for the person in acme with both scopes, an access + refresh token and a login session. */
  live(userId: string): Promise<{ grant: Grant; access: TokenRecord; refresh: TokenRecord; sessionId: string }>;
  close(): Promise<void>;
}

export const MAPPING: GroupRoleMapping = { groupRoles: { Engineering: ['Engineer'] }, defaultRoles: ['Employee'] };

export async function scimHarness(engine: 'sqlite' | 'postgres'): Promise<ScimHarness> {
  const made: TestStore = await createTestStore(engine);
  const store = made.store;
  const now = Date.now();
  const org = (slug: string): Organization => ({ id: newId('org'), slug, name: slug, auditRetentionDays: null, createdAt: now, updatedAt: now });
  const acme = org('acme');
  const globex = org('globex');
  await store.orgs.create(acme);
  await store.orgs.create(globex);
  for (const name of ['Engineer', 'Employee']) await store.roles.upsert({ name, description: name, permissions: [] });
  await store.scopes.upsert({ name: EVERYONE, kind: 'org', allowedRoles: [], sensitivity: 'routine', optional: false, description: 'Read tickets' });
  await store.scopes.upsert({ name: ENGINEERING_ONLY, kind: 'org', allowedRoles: ['Engineer'], sensitivity: 'sensitive', optional: false, description: 'Push code' });
  const events: (GatehouseEvent & { at: number })[] = [];
  const bus = new LocalEventBus();
  bus.subscribe((event) => {
    events.push(event);
  });
  const clock = { now: () => Date.now() };
  const tokens = {
    acme: (await issueScimToken({ store, clock }, acme.id, 'create')).token,
    globex: (await issueScimToken({ store, clock }, globex.id, 'create')).token,
  };
  const app = createScimApp({ store, events: bus, clock, baseUrl: BASE, groupRoles: (o) => (o.id === acme.id ? MAPPING : undefined) });
  return {
    store,
    acme,
    globex,
    tokens,
    events,
    scim(method, path, body, options = {}) {
      const token = options.token === undefined ? tokens.acme : options.token;
      const headers: Record<string, string> = { accept: 'application/scim+json', ...options.headers };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/scim+json; charset=utf-8';
      return Promise.resolve(app.request(`/${options.org ?? 'acme'}/${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
    },
    async live(userId) {
      const t = Date.now();
      const grant: Grant = {
        id: newId('grt'),
        userId,
        orgId: acme.id,
        clientId: newId('cli'),
        resource: 'https://mcp.acme.test/mcp',
        scopes: [EVERYONE, ENGINEERING_ONLY],
        scopeConsentedAt: { [EVERYONE]: t, [ENGINEERING_ONLY]: t },
        expiresAt: null,
        scopeExpiresAt: {},
        createdAt: t,
        updatedAt: t,
        revokedAt: null,
      };
      await store.grants.create(grant);
      const token = (kind: 'access' | 'refresh', familyId: string): TokenRecord => ({
        hash: sha256(randomToken()),
        kind,
        format: 'opaque',
        grantId: grant.id,
        familyId,
        clientId: grant.clientId,
        userId,
        orgId: acme.id,
        resource: grant.resource,
        scopes: grant.scopes,
        createdAt: t,
        expiresAt: t + 3_600_000,
        revokedAt: null,
        rotatedAt: null,
        parentHash: null,
      });
      const family = newId('fam');
      const access = token('access', family);
      const refresh = token('refresh', family);
      await store.tokens.insert([access, refresh]);
      const sessionId = sha256(randomToken());
      await store.sessions.create({ id: sessionId, userId, createdAt: t, expiresAt: t + 3_600_000, revokedAt: null });
      return { grant, access, refresh, sessionId };
    },
    close: () => made.cleanup(),
  };
}

export const json = async (response: Response): Promise<Record<string, any>> => (await response.json()) as Record<string, any>;
