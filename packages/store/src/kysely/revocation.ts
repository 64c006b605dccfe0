/**
 * Bulk revocation primitives shared by tokens and grants. Each is one
 * `UPDATE … WHERE revoked_at IS NULL RETURNING hash`, so a token is reported
 * by exactly the call that revoked it (the hashes feed cache-invalidation
 * events; a second call returns nothing new).
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import { inTransaction } from './context.ts';
import type { Database } from './schema.ts';
import { byGrant, type TokenFilter } from './token-filters.ts';

const MAX_PASSES = 8;

export async function revokeTokensWhere(db: Kysely<Database>, now: number, filter: TokenFilter): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const revoked: string[] = [];
    // A refresh rotating concurrently (PostgreSQL, READ COMMITTED) inserts its
    // successor outside this statement's snapshot: the UPDATE waits on the old
    // token's row lock, then revokes the old token but cannot see the new one.
    // Another pass, with a fresh snapshot, does; we hold the old token's lock
    // now, so no later rotation of it can slip in. Stop at a pass that finds
    // nothing (on SQLite, always the second).
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const rows = await revokeTokensQuery(trx, now, filter).execute();
      if (rows.length === 0) break;
      for (const row of rows) revoked.push(row.hash);
    }
    return revoked;
  });
}

/** One pass of `revokeTokensWhere`: the statement whose plan test/token-filters.test.ts checks. */
export const revokeTokensQuery = (db: Kysely<Database>, now: number, filter: TokenFilter) =>
  db
    .updateTable('tokens')
    .set({ revoked_at: now })
    .where((eb) => eb.and([filter(eb), eb('revoked_at', 'is', null)]))
    .returning('hash');

/**
 * Unredeemed codes of a revoked grant/user/client are deleted: redeeming
 * one afterwards answers `not_found` (invalid_grant) rather than `replayed`,
 * which would be reported as an attack that did not happen.
 */
export async function deleteUnconsumedCodesWhere(
  db: Kysely<Database>,
  filter: (eb: ExpressionBuilder<Database, 'authorization_codes'>) => ReturnType<ExpressionBuilder<Database, 'authorization_codes'>['and']>,
): Promise<void> {
  await db
    .deleteFrom('authorization_codes')
    .where((eb) => eb.and([filter(eb), eb('consumed_at', 'is', null)]))
    .execute();
}

/** Revokes a grant row, every token under it and its unredeemed codes. Call inside a transaction. */
export async function revokeGrantRows(db: Kysely<Database>, grantId: string, now: number): Promise<{ revoked: boolean; tokenHashes: string[] }> {
  const grant = await db.updateTable('grants').set({ revoked_at: now, updated_at: now }).where('id', '=', grantId).where('revoked_at', 'is', null).returning('id').executeTakeFirst();
  const tokenHashes = await revokeTokensWhere(db, now, byGrant(grantId));
  await deleteUnconsumedCodesWhere(db, (eb) => eb.and([eb('grant_id', '=', grantId)]));
  return { revoked: grant !== undefined, tokenHashes };
}
