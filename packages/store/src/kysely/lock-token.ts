/**
 * The read that opens a refresh rotation: the old token's row and its
 * grant's revocation time, both locked for the rest of the transaction.
 *
 * - SQLite: BEGIN IMMEDIATE already holds the database's write lock, so one
 *   joined SELECT reads both (it was three statements: a peek at grant_id,
 *   the grant, the token).
 * - PostgreSQL: row locks, taken grant first and then token, the order every
 *   writer follows (revokeGrant, tokens.insert); a single FOR UPDATE over the
 *   join would not fix that order. A token's grant_id never changes, so
 *   peeking it unlocked is safe.
 */
import type { Kysely } from 'kysely';
import type { TokenRecord } from '@gatehouse/core';
import { numOrNull } from './codec.ts';
import { lockForUpdate, type Engine } from './dialect.ts';
import type { Database } from './schema.ts';
import { lockGrant, toToken } from './token-rows.ts';
import { prepared } from './prepared.ts';

const selectWithGrant = prepared(1, (db, hash: string) =>
  db
    .selectFrom('tokens')
    .leftJoin('grants', 'grants.id', 'tokens.grant_id')
    .selectAll('tokens')
    .select('grants.revoked_at as grant_revoked_at')
    .where('tokens.hash', '=', hash),
);

export interface LockedToken {
  previous: TokenRecord;
  /** The grant's revocation time; null when live, unknown, or the token has no grant. */
  grantRevokedAt: number | null;
}

export async function lockTokenWithGrant(db: Kysely<Database>, engine: Engine, hash: string): Promise<LockedToken | undefined> {
  if (engine === 'sqlite') {
    const row = (await selectWithGrant(db, engine, hash)).rows[0];
    return row && { previous: toToken(row), grantRevokedAt: numOrNull(row.grant_revoked_at) };
  }
  const peek = await db.selectFrom('tokens').select('grant_id').where('hash', '=', hash).executeTakeFirst();
  const grantRevokedAt = peek?.grant_id ? await lockGrant(db, engine, peek.grant_id) : null;
  const row = await lockForUpdate(engine, db.selectFrom('tokens').selectAll().where('hash', '=', hash)).executeTakeFirst();
  return row && { previous: toToken(row), grantRevokedAt };
}
