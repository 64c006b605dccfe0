/** TokenRecord ⇄ row, and the insert shared by `tokens.insert` and rotation. */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { TokenRecord } from '@gatehouse-auth/core';
import { DuplicateError } from '../types.ts';
import { fromJson, num, numOrNull, toJson } from './codec.ts';
import { engineOf, isUniqueViolation, lockForUpdate, type Engine } from './dialect.ts';
import type { Database, TokensTable } from './schema.ts';
import { prepared } from './prepared.ts';

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

/**
 * Call inside a transaction. Each grant the tokens belong to is locked
 * first (grant before token, the order every writer follows), so a
 * concurrent revokeGrant either waits for these tokens and revokes them, or
 * has committed and they are stored already revoked, at the grant's
 * revocation time: a token is never born alive under a revoked grant.
 */
export async function insertTokens(
  db: Kysely<Database>,
  engine: Engine,
  tokens: TokenRecord[],
  /** Grants this transaction has locked already, with their revocation time (rotation): not read again. */
  lockedGrants: ReadonlyMap<string, number | null> = new Map(),
): Promise<void> {
  if (tokens.length === 0) return;
  const revokedAt = new Map<string, number>();
  const grantIds = [...new Set(tokens.flatMap((t) => (t.grantId === null ? [] : [t.grantId])))].sort();
  for (const grantId of grantIds) {
    const at = lockedGrants.has(grantId) ? lockedGrants.get(grantId)! : await lockGrant(db, engine, grantId);
    if (at !== null) revokedAt.set(grantId, at);
  }
  const rows = tokens.map((t) => {
    const grantRevokedAt = t.grantId === null ? undefined : revokedAt.get(t.grantId);
    return toRow(grantRevokedAt !== undefined && t.revokedAt === null ? { ...t, revokedAt: grantRevokedAt } : t);
  });
  try {
    await insertRows(rows.length)(db, engine, ...rows.flatMap(rowValues));
  } catch (error) {
    if (isUniqueViolation(error)) throw new DuplicateError('token');
    throw error;
  }
}

/** Locks a grant row (PostgreSQL; SQLite's write lock already covers it); its revocation time, or null (also when unknown). */
export async function lockGrant(db: Kysely<Database>, engine: Engine, grantId: string): Promise<number | null> {
  const grant = (await selectGrantLocked(db, engine, grantId)).rows[0];
  return numOrNull(grant?.revoked_at);
}

/** Every token insert on PostgreSQL locks its grant: compiled once (prepared.ts) rather than built per insert. */
const selectGrantLocked = prepared(1, (db, grantId: string) => lockForUpdate(engineOf(db), db.selectFrom('grants').select('revoked_at').where('id', '=', grantId)));

/** The hot primary-key read (tokens.get), compiled once (prepared.ts). */
export const selectToken = prepared(1, (db, hash: string) => db.selectFrom('tokens').selectAll().where('hash', '=', hash));

/** toRow's column order; every column is always given (null, never undefined), so one row is COLUMNS.length parameters. */
const COLUMNS = Object.keys(toRow({ scopes: [] } as unknown as TokenRecord)) as (keyof Insertable<TokensTable>)[];
const rowValues = (row: Insertable<TokensTable>): unknown[] => COLUMNS.map((column) => row[column]);

/** A prepared multi-row INSERT per row count (1 and 2 on the hot paths, up to a group commit's batch). */
const insertsByCount = new Map<number, ReturnType<typeof prepared<unknown[], unknown>>>();
function insertRows(count: number) {
  let insert = insertsByCount.get(count);
  if (!insert) {
    insert = prepared(count * COLUMNS.length, (db, ...values: unknown[]) =>
      db.insertInto('tokens').values(Array.from({ length: count }, (_, row) => Object.fromEntries(COLUMNS.map((column, i) => [column, values[row * COLUMNS.length + i]])) as Insertable<TokensTable>)),
    );
    insertsByCount.set(count, insert);
  }
  return insert;
}
