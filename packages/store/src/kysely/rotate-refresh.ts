/**
 * Refresh token rotation with reuse detection (OAuth 2.1 §4.3.1, RFC 9700
 * §4.14.2). Runs inside one transaction; its grant's row and then the old
 * token's row are locked first (FOR UPDATE on PostgreSQL, the BEGIN
 * IMMEDIATE write lock on SQLite; lock-token.ts),
 * so concurrent presentations of one token are decided one after another:
 *
 *   first            → `rotated` (rotated_at set, `issue` inserted)
 *   later, in grace  → `rotated_in_grace` when graceMs > 0, now - rotated_at <= graceMs and
 *                      the old token's only successor is still live
 *                      (unrotated, unrevoked): a client that refreshed twice in
 *                      parallel, or retried a refresh whose response it lost.
 *                      Only the immediate predecessor, and only once: a third
 *                      presentation is reuse.
 *
 * A grace re-issue leaves two sibling refresh tokens. When either is
 * rotated, the other is marked rotated in the same transaction, so only one
 * chain stays live and a later use of the abandoned sibling is reuse
 * (RFC 9700 §4.14.2): a thief who raced the client inside the grace window
 * is caught on the next refresh of either party.
 *   later, otherwise → `reuse_detected`: the grant (or, without one, the
 *                      family) is revoked in the same transaction
 *   after that       → `invalid` / `revoked` (the old token is revoked too)
 */
import type { TokenRecord } from '@gatehouse-auth/core';
import type { RotateRefreshResult } from '../types.ts';
import type { Db } from './context.ts';
import { revokeGrantRows, revokeTokensWhere } from './revocation.ts';
import { insertTokens } from './token-rows.ts';
import { byFamily } from './token-filters.ts';
import { lockTokenWithGrant } from './lock-token.ts';
import { prepared } from './prepared.ts';

const markRotated = prepared(2, (db, now: number, hash: string) => db.updateTable('tokens').set({ rotated_at: now }).where('hash', '=', hash).where('rotated_at', 'is', null));

/** Retires the live siblings of a rotated token (tokens a grace re-issue gave the same parent). */
const retireSiblings = prepared(4, (db, now: number, parentHash: string, hash: string, kind: 'refresh') =>
  db
    .updateTable('tokens')
    .set({ rotated_at: now })
    .where('parent_hash', '=', parentHash)
    .where('hash', '<>', hash)
    .where('kind', '=', kind)
    .where('rotated_at', 'is', null)
    .where('revoked_at', 'is', null),
);

export async function rotateRefresh({ db, engine }: Db, oldHash: string, issue: TokenRecord[], now: number, graceMs: number): Promise<RotateRefreshResult> {
  const locked = await lockTokenWithGrant(db, engine, oldHash);
  if (!locked) return { status: 'invalid', reason: 'not_found' };
  const { previous, grantRevokedAt } = locked;
  if (previous.kind !== 'refresh') return { status: 'invalid', reason: 'not_refresh' };
  if (previous.revokedAt !== null || grantRevokedAt !== null) return { status: 'invalid', reason: 'revoked' };
  if (previous.expiresAt <= now) return { status: 'invalid', reason: 'expired' };
  // Read under the same lock as the rotation: a user disabled or removed from the org a moment ago gets nothing.
  if (!locked.subjectActive) return { status: 'invalid', reason: 'subject_inactive' };
  // The grant is locked and live in this transaction: the successors' insert need not lock and read it again.
  const lockedGrants = new Map<string, number | null>(previous.grantId === null ? [] : [[previous.grantId, null]]);

  // The successor's parent link is what the grace rule follows; set it when the caller did not.
  const successors = issue.map((t) => (t.kind === 'refresh' && t.parentHash === null ? { ...t, parentHash: oldHash } : t));

  if (previous.rotatedAt === null) {
    // Compare-and-set on rotated_at: redundant under the row lock, kept as the invariant's statement.
    // The row is in hand, so no RETURNING: the winner's previous is it with rotated_at set.
    const won = await markRotated(db, engine, now, oldHash);
    if (Number(won.numAffectedRows) === 1) {
      if (previous.parentHash !== null) await retireSiblings(db, engine, now, previous.parentHash, oldHash, 'refresh');
      await insertTokens(db, engine, successors, lockedGrants);
      return { status: 'rotated', previous: { ...previous, rotatedAt: now } };
    }
  } else if (graceMs > 0 && now - previous.rotatedAt <= graceMs && (await hasOnlyOneLiveSuccessor(db, oldHash))) {
    await insertTokens(db, engine, successors, lockedGrants);
    return { status: 'rotated_in_grace', previous };
  }

  // Revoking the grant revokes every token under it, this family's included; only a grant-less family is revoked by itself.
  const revokedHashes = previous.grantId !== null ? (await revokeGrantRows(db, previous.grantId, now)).tokenHashes : await revokeTokensWhere(db, now, byFamily(previous));
  return { status: 'reuse_detected', previous, revokedHashes };
}

/** True when the token has exactly one refresh successor and it is live: no grace re-issue happened yet. */
async function hasOnlyOneLiveSuccessor(db: Db['db'], parentHash: string): Promise<boolean> {
  const children = await db.selectFrom('tokens').select(['rotated_at', 'revoked_at']).where('parent_hash', '=', parentHash).where('kind', '=', 'refresh').limit(2).execute();
  return children.length === 1 && children[0]!.rotated_at === null && children[0]!.revoked_at === null;
}
