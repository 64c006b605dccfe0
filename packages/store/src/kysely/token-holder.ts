/**
 * Introspection's read (tokens.getWithHolder): the token's row with its
 * grant, its user's status and email, the membership of the token's org
 * and its client's status, org and roles, in one joined SELECT by the
 * token's hash. Introspection used to read them one by one (the token,
 * then the grant, user and membership, or the client): on PostgreSQL each
 * was a round trip with a pool checkout, on SQLite each a statement and a
 * promise.
 *
 * Joins are LEFT joins on the token's own keys, so a missing grant, user,
 * membership or client reads as absent, exactly as the separate reads did.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Client, Grant, UserStatus } from '@gatehouse-auth/core';
import type { TokenWithHolder } from '../types.ts';
import { fromJson } from './codec.ts';
import type { Engine } from './dialect.ts';
import { toGrant } from './grants.ts';
import { prepared } from './prepared.ts';
import type { Database, GrantsTable } from './schema.ts';
import { toToken } from './token-rows.ts';

const selectTokenWithHolder = prepared(1, (db, hash: string) =>
  db
    .selectFrom('tokens')
    .leftJoin('grants', 'grants.id', 'tokens.grant_id')
    .leftJoin('users', 'users.id', 'tokens.user_id')
    .leftJoin('memberships', (join) => join.onRef('memberships.user_id', '=', 'tokens.user_id').onRef('memberships.org_id', '=', 'tokens.org_id'))
    .leftJoin('clients', 'clients.id', 'tokens.client_id')
    .selectAll('tokens')
    .select([
      'grants.id as g_id',
      'grants.user_id as g_user_id',
      'grants.org_id as g_org_id',
      'grants.client_id as g_client_id',
      'grants.resource as g_resource',
      'grants.scopes as g_scopes',
      'grants.scope_consented_at as g_scope_consented_at',
      'grants.expires_at as g_expires_at',
      'grants.scope_expires_at as g_scope_expires_at',
      'grants.created_at as g_created_at',
      'grants.updated_at as g_updated_at',
      'grants.revoked_at as g_revoked_at',
      'grants.ends_next_at as g_ends_next_at',
      'users.status as user_status',
      'users.email as user_email',
      'memberships.user_id as member_id',
      'memberships.roles as member_roles',
      'clients.id as c_id',
      'clients.status as c_status',
      'clients.org_id as c_org_id',
      'clients.roles as c_roles',
    ])
    .where('tokens.hash', '=', hash),
);

type Row = Awaited<ReturnType<typeof selectTokenWithHolder>>['rows'][number];

const grantOf = (row: Row): Grant | undefined =>
  row.g_id === null
    ? undefined
    : toGrant({
        id: row.g_id,
        user_id: row.g_user_id,
        org_id: row.g_org_id,
        client_id: row.g_client_id!,
        resource: row.g_resource!,
        scopes: row.g_scopes!,
        scope_consented_at: row.g_scope_consented_at!,
        expires_at: row.g_expires_at,
        scope_expires_at: row.g_scope_expires_at!,
        created_at: row.g_created_at!,
        updated_at: row.g_updated_at!,
        revoked_at: row.g_revoked_at,
        ends_next_at: row.g_ends_next_at,
      } as Selectable<GrantsTable>);

export async function readTokenWithHolder(db: Kysely<Database>, engine: Engine, hash: string): Promise<TokenWithHolder | undefined> {
  const row = (await selectTokenWithHolder(db, engine, hash)).rows[0];
  if (!row) return undefined;
  const found: TokenWithHolder = { token: toToken(row) };
  const grant = grantOf(row);
  if (grant) found.grant = grant;
  if (row.user_status !== null && row.user_email !== null) found.user = { status: row.user_status as UserStatus, email: row.user_email };
  if (row.member_id !== null) found.membership = { roles: fromJson<string[]>(row.member_roles, []) };
  if (row.c_id !== null) found.client = { status: row.c_status as Client['status'], orgId: row.c_org_id, roles: fromJson<string[]>(row.c_roles, []) };
  return found;
}
