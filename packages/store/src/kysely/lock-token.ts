/**
 * The read that opens a refresh rotation: the old token's row and its
 * grant's revocation time, both locked for the rest of the transaction, and
 * whether the token's user may still hold tokens (active, and still a
 * member of the token's org).
 *
 * - SQLite: BEGIN IMMEDIATE already holds the database's write lock, so one
 *   joined SELECT reads all of it (it was three statements: a peek at
 *   grant_id, the grant, the token; and two more on the event loop for the
 *   user and the membership).
 * - PostgreSQL: row locks, taken grant first and then token, the order every
 *   writer follows (revokeGrant, tokens.insert); a single FOR UPDATE over the
 *   join would not fix that order. A token's grant_id never changes, so
 *   reading it unlocked, in the subquery of the statement that locks the
 *   grant, is safe (one round trip; it was a peek and then the lock). The
 *   token's row is then read with its user and membership, locking only the
 *   token (FOR UPDATE OF tokens). Both statements are compiled once.
 */
import type { Kysely } from 'kysely';
import type { TokenRecord } from '@gatehouse-auth/core';
import { numOrNull } from './codec.ts';
import type { Engine } from './dialect.ts';
import type { Database } from './schema.ts';
import { toToken } from './token-rows.ts';
import { prepared } from './prepared.ts';

/** The token's row with its user's status and, if still a member, the membership of the token's org. */
const tokenWithSubject = (db: Kysely<Database>, hash: string) =>
  db
    .selectFrom('tokens')
    .leftJoin('users', 'users.id', 'tokens.user_id')
    .leftJoin('memberships', (join) => join.onRef('memberships.user_id', '=', 'tokens.user_id').onRef('memberships.org_id', '=', 'tokens.org_id'))
    .selectAll('tokens')
    .select(['users.status as user_status', 'memberships.user_id as member_id'])
    .where('tokens.hash', '=', hash);

const selectWithGrant = prepared(1, (db, hash: string) => tokenWithSubject(db, hash).leftJoin('grants', 'grants.id', 'tokens.grant_id').select('grants.revoked_at as grant_revoked_at'));

/**
 * PostgreSQL: the peek at the token's grant_id and the grant's lock in one round trip. Only `grants`
 * is in FROM, so only the grant's row is locked; a token without a grant (or an unknown one) locks nothing.
 */
const lockGrantOfToken = prepared(1, (db, hash: string) =>
  db
    .selectFrom('grants')
    .select('revoked_at')
    .where('id', '=', (eb) => eb.selectFrom('tokens').select('grant_id').where('hash', '=', hash))
    .forUpdate(),
);
/** FOR UPDATE OF tokens: only the token's row is locked; the user and membership are read, not locked. */
const selectWithSubjectLocked = prepared(1, (db, hash: string) => tokenWithSubject(db, hash).forUpdate('tokens'));

export interface LockedToken {
  previous: TokenRecord;
  /** The grant's revocation time; null when live, unknown, or the token has no grant. */
  grantRevokedAt: number | null;
  /** False when the token's user is unknown or not active, or no longer a member of the token's org; true for tokens without a user. */
  subjectActive: boolean;
}

/** The same rule as the authorization server's active-subject check at code redemption. */
const isActive = (token: TokenRecord, userStatus: string | null, memberId: string | null): boolean => token.userId === null || (userStatus === 'active' && (token.orgId === null || memberId !== null));

export async function lockTokenWithGrant(db: Kysely<Database>, engine: Engine, hash: string): Promise<LockedToken | undefined> {
  if (engine === 'sqlite') {
    const row = (await selectWithGrant(db, engine, hash)).rows[0];
    if (!row) return undefined;
    const previous = toToken(row);
    return { previous, grantRevokedAt: numOrNull(row.grant_revoked_at), subjectActive: isActive(previous, row.user_status, row.member_id) };
  }
  const grantRevokedAt = numOrNull((await lockGrantOfToken(db, engine, hash)).rows[0]?.revoked_at);
  const row = (await selectWithSubjectLocked(db, engine, hash)).rows[0];
  if (!row) return undefined;
  const previous = toToken(row);
  return { previous, grantRevokedAt, subjectActive: isActive(previous, row.user_status, row.member_id) };
}
