/** Entity builders with unique ids, so tests sharing one store never collide. */
import { newId, randomToken, sha256 } from '@gatehouse-auth/core';
import type { AuthorizationCode, Client, Grant, Organization, TokenRecord, User } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);
export const HOUR = 3_600_000;

export const aUser = (over: Partial<User> = {}): User => ({
  id: newId('usr'),
  email: `${newId('mail').toLowerCase()}@example.com`,
  name: 'Ada Lovelace',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  status: 'active',
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const anOrg = (over: Partial<Organization> = {}): Organization => ({
  id: newId('org'),
  slug: newId('acme').toLowerCase(),
  name: 'Acme',
  auditRetentionDays: null,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const aClient = (over: Partial<Client> = {}): Client => ({
  id: newId('cli'),
  kind: 'dynamic',
  name: 'Claude',
  redirectUris: ['https://claude.ai/api/mcp/auth_callback', 'http://127.0.0.1/callback'],
  grantTypes: ['authorization_code', 'refresh_token'],
  tokenEndpointAuthMethod: 'none',
  secretHash: null,
  applicationType: 'web',
  logoUri: null,
  clientUri: 'https://claude.ai',
  policyUri: null,
  tosUri: null,
  scope: null,
  orgId: null,
  roles: [],
  resourceServerFor: [],
  status: 'active',
  registrationAccessTokenHash: sha256(randomToken()),
  metadataExpiresAt: null,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

export const aGrant = (over: Partial<Grant> = {}): Grant => ({
  id: newId('grt'),
  userId: newId('usr'),
  orgId: newId('org'),
  clientId: newId('cli'),
  resource: 'https://mcp.example.com/mcp',
  scopes: ['tickets:read', 'finance:read'],
  scopeConsentedAt: { 'tickets:read': T0, 'finance:read': T0 },
  expiresAt: null,
  scopeExpiresAt: {},
  createdAt: T0,
  updatedAt: T0,
  revokedAt: null,
  ...over,
});

/**
 * A grant (not yet stored) whose user exists, is active and belongs to the
 * grant's org: refresh rotation refuses tokens of anyone else
 * (`subject_inactive`).
 */
export async function aLiveGrant(store: Store, over: Partial<Grant> = {}): Promise<Grant> {
  const user = aUser();
  const org = anOrg();
  await store.users.create(user);
  await store.orgs.create(org);
  await store.orgs.upsertMembership({ userId: user.id, orgId: org.id, roles: [], createdAt: T0, updatedAt: T0 });
  return aGrant({ userId: user.id, orgId: org.id, ...over });
}

export const aCode = (grant: Grant, over: Partial<AuthorizationCode> = {}): AuthorizationCode => ({
  hash: sha256(randomToken()),
  grantId: grant.id,
  clientId: grant.clientId,
  userId: grant.userId ?? newId('usr'),
  orgId: grant.orgId,
  redirectUri: 'https://claude.ai/api/mcp/auth_callback',
  codeChallenge: sha256(randomToken()),
  resource: grant.resource,
  scopes: grant.scopes,
  sessionId: null,
  authTime: T0,
  createdAt: T0,
  expiresAt: T0 + 60_000,
  consumedAt: null,
  ...over,
});

/** A token issued under `grant`; pass `familyId` to put it in an existing family. */
export const aToken = (grant: Grant, over: Partial<TokenRecord> = {}): TokenRecord => ({
  hash: sha256(randomToken()),
  kind: 'refresh',
  format: 'opaque',
  grantId: grant.id,
  familyId: newId('fam'),
  clientId: grant.clientId,
  userId: grant.userId,
  orgId: grant.orgId,
  resource: grant.resource,
  scopes: grant.scopes,
  createdAt: T0,
  expiresAt: T0 + 30 * 24 * HOUR,
  revokedAt: null,
  rotatedAt: null,
  parentHash: null,
  ...over,
});

/** The access + refresh pair a refresh exchange issues, as a successor of `parent`. */
export const successorPair = (grant: Grant, parent: TokenRecord, now: number): TokenRecord[] => [
  aToken(grant, { kind: 'access', familyId: parent.familyId, createdAt: now, expiresAt: now + HOUR }),
  aToken(grant, { kind: 'refresh', familyId: parent.familyId, parentHash: parent.hash, createdAt: now }),
];
