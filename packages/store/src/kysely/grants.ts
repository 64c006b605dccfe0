import type { Selectable } from 'kysely';
import type { Grant } from '@gatehouse-auth/core';
import { DuplicateError, type GrantExpiryStore, type GrantLifetime, type GrantRevocationStore, type GrantStore } from '../types.ts';
import { fromJson, num, numOrNull, toJson } from './codec.ts';
import { inTransaction, type Db } from './context.ts';
import { isUniqueViolation, lockForUpdate } from './dialect.ts';
import { nextUnrecordedEnd } from './grant-ends.ts';
import { revokeGrantRows } from './revocation.ts';
import { prepared } from './prepared.ts';
import type { GrantsTable } from './schema.ts';

/** Read for every introspection of a user token and every refresh: compiled once (prepared.ts). */
const selectGrant = prepared(1, (db, id: string) => db.selectFrom('grants').selectAll().where('id', '=', id));

export const toGrant = (row: Selectable<GrantsTable>): Grant => ({
  id: row.id,
  userId: row.user_id,
  orgId: row.org_id,
  clientId: row.client_id,
  resource: row.resource,
  scopes: fromJson<string[]>(row.scopes, []),
  scopeConsentedAt: fromJson<Record<string, number>>(row.scope_consented_at, {}),
  expiresAt: numOrNull(row.expires_at),
  scopeExpiresAt: fromJson<Record<string, number>>(row.scope_expires_at, {}),
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
  revokedAt: numOrNull(row.revoked_at),
});

const lifetimeColumns = (lifetime: GrantLifetime) => ({ expires_at: lifetime.expiresAt, scope_expires_at: toJson(lifetime.scopeExpiresAt) });

export function grantStore({ db, engine }: Db): GrantStore & GrantRevocationStore & GrantExpiryStore {
  /** Read (locked on PostgreSQL; BEGIN IMMEDIATE on SQLite), change, write back with `ends_next_at` recomputed. */
  const change = (id: string, edit: (grant: Grant) => Partial<Grant> | undefined) =>
    inTransaction(db, async (trx) => {
      const row = await lockForUpdate(engine, trx.selectFrom('grants').selectAll().where('id', '=', id)).executeTakeFirst();
      if (!row) return undefined;
      const before = toGrant(row);
      const edited = edit(before);
      if (!edited) return undefined;
      const after = { ...before, ...edited };
      const updated = await trx
        .updateTable('grants')
        .set({
          scopes: toJson(after.scopes),
          scope_consented_at: toJson(after.scopeConsentedAt),
          updated_at: after.updatedAt,
          ...lifetimeColumns(after),
          ends_next_at: nextUnrecordedEnd(after),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { before, after: toGrant(updated) };
    });

  return {
    async create(grant) {
      try {
        await db
          .insertInto('grants')
          .values({
            id: grant.id,
            user_id: grant.userId,
            org_id: grant.orgId,
            client_id: grant.clientId,
            resource: grant.resource,
            scopes: toJson(grant.scopes),
            scope_consented_at: toJson(grant.scopeConsentedAt),
            expires_at: grant.expiresAt,
            scope_expires_at: toJson(grant.scopeExpiresAt),
            created_at: grant.createdAt,
            updated_at: grant.updatedAt,
            revoked_at: grant.revokedAt,
            ends_next_at: nextUnrecordedEnd(grant),
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateError(`grant ${grant.id}`);
        throw error;
      }
    },
    async get(id) {
      const row = (await selectGrant(db, engine, id)).rows[0];
      return row && toGrant(row);
    },
    async findActive({ userId, orgId, clientId, resource }) {
      // `= NULL` never matches in SQL: null keys compare with IS.
      const row = await db
        .selectFrom('grants')
        .selectAll()
        .where('user_id', userId === null ? 'is' : '=', userId)
        .where('org_id', orgId === null ? 'is' : '=', orgId)
        .where('client_id', '=', clientId)
        .where('resource', '=', resource)
        .where('revoked_at', 'is', null)
        .orderBy('updated_at', 'desc')
        .executeTakeFirst();
      return row && toGrant(row);
    },
    async listForUser(userId) {
      const rows = await db.selectFrom('grants').selectAll().where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toGrant);
    },
    async updateScopes(id, scopes, scopeConsentedAt, now, lifetime) {
      const changed = await change(id, () => ({ scopes, scopeConsentedAt, updatedAt: now, ...(lifetime ?? {}) }));
      return changed?.after;
    },
    async setLifetime(id, lifetime, now) {
      const changed = await change(id, () => ({ ...lifetime, updatedAt: now }));
      return changed?.after;
    },
    async endingBy(now, limit) {
      const rows = await db.selectFrom('grants').selectAll().where('ends_next_at', '<=', now).where('revoked_at', 'is', null).orderBy('ends_next_at').limit(limit).execute();
      return rows.map(toGrant);
    },
    async dropEndedScopes(id, now) {
      let gone: string[] = [];
      const changed = await change(id, (grant) => {
        gone = grant.revokedAt === null ? grant.scopes.filter((scope) => (grant.scopeExpiresAt[scope] ?? Infinity) <= now) : [];
        if (gone.length === 0) return undefined;
        const scopes = grant.scopes.filter((scope) => !gone.includes(scope));
        const scopeConsentedAt = Object.fromEntries(Object.entries(grant.scopeConsentedAt).filter(([scope]) => scopes.includes(scope)));
        return { scopes, scopeConsentedAt, updatedAt: now };
      });
      return changed ? { grant: changed.after, scopes: gone } : undefined;
    },
    revokeGrant(grantId, now) {
      return inTransaction(db, (trx) => revokeGrantRows(trx, grantId, now));
    },
  };
}
