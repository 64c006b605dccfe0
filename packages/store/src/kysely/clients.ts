import type { Insertable, Selectable } from 'kysely';
import type { Client } from '@gatehouse-auth/core';
import { DuplicateError, type ClientStore } from '../types.ts';
import { fromJson, num, numOrNull, toJson } from './codec.ts';
import { isUniqueViolation } from './dialect.ts';
import type { Db } from './context.ts';
import { prepared } from './prepared.ts';
import type { ClientsTable } from './schema.ts';

/** Read for every introspection of a service token and by client authentication: compiled once (prepared.ts). */
const selectClient = prepared(1, (db, id: string) => db.selectFrom('clients').selectAll().where('id', '=', id));

const toClient = (row: Selectable<ClientsTable>): Client => ({
  id: row.id,
  kind: row.kind as Client['kind'],
  name: row.name,
  redirectUris: fromJson<string[]>(row.redirect_uris, []),
  grantTypes: fromJson<string[]>(row.grant_types, []),
  tokenEndpointAuthMethod: row.token_endpoint_auth_method as Client['tokenEndpointAuthMethod'],
  secretHash: row.secret_hash,
  applicationType: row.application_type as Client['applicationType'],
  logoUri: row.logo_uri,
  clientUri: row.client_uri,
  policyUri: row.policy_uri,
  tosUri: row.tos_uri,
  scope: row.scope,
  orgId: row.org_id,
  roles: fromJson<string[]>(row.roles, []),
  resourceServerFor: fromJson<string[]>(row.resource_server_for, []),
  status: row.status as Client['status'],
  registrationAccessTokenHash: row.registration_access_token_hash,
  metadataExpiresAt: numOrNull(row.metadata_expires_at),
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
  // Only once a secret was rotated or given an expiry: every other client reads as before 0010.
  ...(row.secret_expires_at !== null ? { secretExpiresAt: num(row.secret_expires_at) } : {}),
  ...(row.previous_secret_hash !== null ? { previousSecretHash: row.previous_secret_hash, previousSecretExpiresAt: numOrNull(row.previous_secret_expires_at) } : {}),
});

const toRow = (c: Client): Insertable<ClientsTable> => ({
  id: c.id,
  kind: c.kind,
  name: c.name,
  redirect_uris: toJson(c.redirectUris),
  grant_types: toJson(c.grantTypes),
  token_endpoint_auth_method: c.tokenEndpointAuthMethod,
  secret_hash: c.secretHash,
  secret_expires_at: c.secretExpiresAt ?? null,
  previous_secret_hash: c.previousSecretHash ?? null,
  previous_secret_expires_at: c.previousSecretExpiresAt ?? null,
  application_type: c.applicationType,
  logo_uri: c.logoUri,
  client_uri: c.clientUri,
  policy_uri: c.policyUri,
  tos_uri: c.tosUri,
  scope: c.scope,
  org_id: c.orgId,
  roles: toJson(c.roles),
  resource_server_for: toJson(c.resourceServerFor),
  status: c.status,
  registration_access_token_hash: c.registrationAccessTokenHash,
  metadata_expires_at: c.metadataExpiresAt,
  created_at: c.createdAt,
  updated_at: c.updatedAt,
});

export function clientStore({ db, engine }: Db): ClientStore {
  return {
    async create(client) {
      try {
        await db.insertInto('clients').values(toRow(client)).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateError(`client ${client.id}`);
        throw error;
      }
    },
    async upsert(client) {
      // A replace keeps the first created_at (metadata documents are re-fetched and re-upserted).
      const { id: _id, created_at: _created, ...update } = toRow(client);
      await db
        .insertInto('clients')
        .values(toRow(client))
        .onConflict((oc) => oc.column('id').doUpdateSet(update))
        .execute();
    },
    async get(id) {
      const row = (await selectClient(db, engine, id)).rows[0];
      return row && toClient(row);
    },
    async list() {
      return (await db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('id').execute()).map(toClient);
    },
    async setStatus(id, status, now) {
      const row = await db.updateTable('clients').set({ status, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirst();
      return row && toClient(row);
    },
    async rotateSecret(id, secretHash, { secretExpiresAt, previousExpiresAt }, now) {
      // One statement: the right-hand sides read the row as it was, so the old secret becomes the previous one atomically.
      const row = await db
        .updateTable('clients')
        .set((eb) => ({
          previous_secret_hash: eb.ref('secret_hash'),
          previous_secret_expires_at: previousExpiresAt,
          secret_hash: secretHash,
          secret_expires_at: secretExpiresAt,
          updated_at: now,
        }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toClient(row);
    },
    async delete(id) {
      const result = await db.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
