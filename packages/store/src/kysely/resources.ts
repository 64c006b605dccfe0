import type { Selectable } from 'kysely';
import type { ProtectedResource, ResourceOperations } from '@gatehouse-auth/core';
import type { ResourceStore } from '../types.ts';
import { fromJson, num, toJson } from './codec.ts';
import type { Db } from './context.ts';
import type { ResourcesTable } from './schema.ts';

const toResource = (row: Selectable<ResourcesTable>): ProtectedResource => ({
  uri: row.uri,
  name: row.name,
  scopes: fromJson<string[]>(row.scopes, []),
  organizations: fromJson<string[]>(row.organizations, []),
  multiTenant: num(row.multi_tenant) === 1,
  operations: toOperations(fromJson<Partial<ResourceOperations>>(row.operations, {})),
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
});

const toOperations = (stored: Partial<ResourceOperations>): ResourceOperations => ({ tools: stored.tools ?? {}, resources: stored.resources ?? {}, prompts: stored.prompts ?? {} });

export function resourceStore({ db }: Db): ResourceStore {
  return {
    async upsert(resource) {
      // created_at survives a replace: config re-applies resources on every start.
      await db
        .insertInto('resources')
        .values({
          uri: resource.uri,
          name: resource.name,
          scopes: toJson(resource.scopes),
          organizations: toJson(resource.organizations),
          multi_tenant: resource.multiTenant ? 1 : 0,
          operations: toJson(resource.operations ?? {}),
          created_at: resource.createdAt,
          updated_at: resource.updatedAt,
        })
        .onConflict((oc) =>
          oc.column('uri').doUpdateSet({
            name: resource.name,
            scopes: toJson(resource.scopes),
            organizations: toJson(resource.organizations),
            multi_tenant: resource.multiTenant ? 1 : 0,
            operations: toJson(resource.operations ?? {}),
            updated_at: resource.updatedAt,
          }),
        )
        .execute();
    },
    async get(uri) {
      const row = await db.selectFrom('resources').selectAll().where('uri', '=', uri).executeTakeFirst();
      return row && toResource(row);
    },
    async list() {
      return (await db.selectFrom('resources').selectAll().orderBy('uri').execute()).map(toResource);
    },
    async delete(uri) {
      const result = await db.deleteFrom('resources').where('uri', '=', uri).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
