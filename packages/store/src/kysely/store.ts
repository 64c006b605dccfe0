/** Assembles the per-aggregate stores over one Kysely handle (the pool, or a transaction). */
import { sql, type Kysely } from 'kysely';
import type { Store } from '../types.ts';
import { clientStore } from './clients.ts';
import { clientPolicyStore } from './client-policies.ts';
import { approvalStore } from './approvals.ts';
import { codeStore } from './codes.ts';
import type { Db } from './context.ts';
import type { Engine } from './dialect.ts';
import { interactionStore, rateLimitStore } from './ephemeral.ts';
import { grantStore } from './grants.ts';
import { federationStore } from './federation.ts';
import { signingKeyStore } from './keys.ts';
import { orgStore } from './orgs.ts';
import { resourceStore } from './resources.ts';
import { roleStore } from './roles.ts';
import { scopeStore } from './scopes.ts';
import { scimStore } from './scim.ts';
import type { Database } from './schema.ts';
import { sessionStore } from './sessions.ts';
import { settingsStore } from './settings.ts';
import { tokenStore } from './tokens.ts';
import { userStore } from './users.ts';
import { samlStore } from './saml.ts';
import { createKyselyAuditStore, type KyselyAuditStoreOptions } from '../audit/kysely-audit-store.ts';
import type { SubmitTokenWrite } from './group-commit.ts';
import { inheritRawSqlite } from './raw-sqlite.ts';

const handles = new WeakMap<Store, Db>();

/** The Kysely handle behind a store (for migrations and packages that add tables, e.g. audit). */
export function kyselyOf(store: Store): Db {
  const db = handles.get(store);
  if (!db) throw new Error('not a Kysely-backed store');
  return db;
}

/** `submitTokenWrite`: the root store's group commit for token writes (create-store.ts); transactions run theirs directly. */
export function buildStore(db: Kysely<Database>, engine: Engine, close: () => Promise<void>, submitTokenWrite?: SubmitTokenWrite, auditOptions?: KyselyAuditStoreOptions): Store {
  const handle: Db = { db, engine };
  const store: Store = {
    engine,
    users: userStore(handle),
    orgs: orgStore(handle),
    roles: roleStore(handle),
    scopes: scopeStore(handle),
    resources: resourceStore(handle),
    clients: clientStore(handle),
    grants: grantStore(handle),
    codes: codeStore(handle),
    tokens: tokenStore(handle, submitTokenWrite),
    keys: signingKeyStore(handle),
    sessions: sessionStore(handle),
    interactions: interactionStore(handle),
    rateLimits: rateLimitStore(handle),
    settings: settingsStore(handle),
    clientPolicies: clientPolicyStore(handle),
    federation: federationStore(handle),
    scim: scimStore(handle),
    approvals: approvalStore(handle),
    saml: samlStore(handle),
    audit: createKyselyAuditStore(db, engine, auditOptions),
    transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
      // Nested calls join the open transaction: there is no partial commit to offer.
      if (db.isTransaction) return fn(store);
      return db.transaction().execute((trx) => {
        inheritRawSqlite(db, trx);
        return fn(buildStore(trx, engine, closeInsideTransaction));
      });
    },
    async ping() {
      await sql`SELECT 1`.execute(db);
    },
    close,
  };
  handles.set(store, handle);
  return store;
}

async function closeInsideTransaction(): Promise<void> {
  throw new Error('close() the store, not the transaction handle');
}
