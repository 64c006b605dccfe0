/**
 * The access model every end-to-end test starts from, as config as code
 * (the same object a gatehouse.yaml parses to): one organization, two
 * roles, a small scope catalogue on one MCP resource, two people. Applying
 * it goes through `gatehouse apply`'s code path, which hashes the passwords
 * with argon2id.
 */
import { sha256 } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { clientRecord } from '@gatehouse-auth/store/testing';
import type { ConfigInput } from '@gatehouse-auth/cli';

export interface TestPerson {
  email: string;
  password: string;
  name: string;
  memberships: { org: string; roles: string[] }[];
}

export const ORG = { slug: 'acme', name: 'Acme Corp' } as const;
export const SECOND_ORG = { slug: 'globex', name: 'Globex Industries' } as const;

/** An Engineering member of Acme only: may not receive `finance:reports:read`. */
export const ALICE: TestPerson = { email: 'alice@acme.test', name: 'Alice Engineer', password: 'correct horse battery staple', memberships: [{ org: ORG.slug, roles: ['Engineering'] }] };
/** Management in Acme, Engineering in Globex: sees the organization picker. */
export const BOB: TestPerson = {
  email: 'bob@acme.test',
  name: 'Bob Manager',
  password: 'tr0ub4dor & 3 managers',
  memberships: [
    { org: ORG.slug, roles: ['Management'] },
    { org: SECOND_ORG.slug, roles: ['Engineering'] },
  ],
};

export const TEST_SCOPES = ['tickets:read', 'tickets:write', 'finance:reports:read'];

export function testConfig(resourceUri: string): ConfigInput {
  return {
    roles: [
      { name: 'Engineering', description: 'Builds the product', permissions: ['tickets:view'] },
      { name: 'Management', description: 'Runs the company', permissions: ['tickets:view', 'finance:view'] },
    ],
    scopes: [
      { name: 'tickets:read', description: 'Read support tickets', sensitivity: 'routine' },
      { name: 'tickets:write', description: 'Create and update support tickets', sensitivity: 'routine', optional: true },
      { name: 'finance:reports:read', description: 'Read finance reports', allowed_roles: ['Management'], sensitivity: 'sensitive', optional: true },
    ],
    // Serves both orgs: Bob, a member of each, sees the organization picker.
    resources: [{ uri: resourceUri, name: 'Internal tools', scopes: TEST_SCOPES, organizations: [ORG.slug, SECOND_ORG.slug] }],
    organizations: [{ ...ORG }, { ...SECOND_ORG }],
    users: [ALICE, BOB].map((person) => ({ email: person.email, name: person.name, password: person.password, memberships: person.memberships })),
  };
}

export interface TestClientInput {
  id: string;
  name: string;
  redirectUris: string[];
  /** Given: a confidential client (client_secret_basic); stored as its SHA-256. */
  secret?: string;
  grantTypes?: string[];
  /** Resource URIs this client is the resource server for (introspection, revocation stream). */
  resourceServerFor?: string[];
}

/**
 * A pre-registered client written straight to the store, for clients whose
 * redirect URI is only known once the test runs (a callback server's port).
 */
export async function registerTestClient(store: Store, input: TestClientInput, now = Date.now()): Promise<void> {
  await store.clients.upsert(
    clientRecord({
      id: input.id,
      name: input.name,
      redirectUris: input.redirectUris,
      grantTypes: input.grantTypes ?? ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: input.secret ? 'client_secret_basic' : 'none',
      secretHash: input.secret ? sha256(input.secret) : null,
      applicationType: input.secret ? 'web' : 'native',
      resourceServerFor: input.resourceServerFor ?? [],
      createdAt: now,
      updatedAt: now,
    }),
  );
}
