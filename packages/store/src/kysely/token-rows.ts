/** TokenRecord ⇄ row, and the insert shared by `tokens.insert` and rotation. */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { TokenRecord } from '@gatehouse/core';
import { DuplicateError } from '../types.ts';
import { fromJson, num, numOrNull, toJson } from './codec.ts';
import { isUniqueViolation } from './dialect.ts';
import type { Database, TokensTable } from './schema.ts';

export const toToken = (row: Selectable<TokensTable>): TokenRecord => ({
  hash: row.hash,
  kind: row.kind as TokenRecord['kind'],
  format: row.format as TokenRecord['format'],
  grantId: row.grant_id,
  familyId: row.family_id,
  clientId: row.client_id,
  userId: row.user_id,
  orgId: row.org_id,
  resource: row.resource,
  scopes: fromJson<string[]>(row.scopes, []),
  createdAt: num(row.created_at),
  expiresAt: num(row.expires_at),
  revokedAt: numOrNull(row.revoked_at),
  rotatedAt: numOrNull(row.rotated_at),
  parentHash: row.parent_hash,
});

const toRow = (t: TokenRecord): Insertable<TokensTable> => ({
  hash: t.hash,
  kind: t.kind,
  format: t.format,
  grant_id: t.grantId,
  family_id: t.familyId,
  client_id: t.clientId,
  user_id: t.userId,
  org_id: t.orgId,
  resource: t.resource,
  scopes: toJson(t.scopes),
  created_at: t.createdAt,
  expires_at: t.expiresAt,
  revoked_at: t.revokedAt,
  rotated_at: t.rotatedAt,
  parent_hash: t.parentHash,
});

export async function insertTokens(db: Kysely<Database>, tokens: TokenRecord[]): Promise<void> {
  if (tokens.length === 0) return;
  try {
    await db.insertInto('tokens').values(tokens.map(toRow)).execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new DuplicateError('token');
    throw error;
  }
}
