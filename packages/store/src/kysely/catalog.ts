/** Roles, scope definitions and protected resources: keyed definitions that config upserts. */
import type { Selectable } from 'kysely';
import type { ProtectedResource, Role, ScopeDefinition, ScopeKind, Sensitivity } from '@gatehouse/core';
import type { ResourceStore, RoleStore, ScopeStore } from '../types.ts';
import { fromJson, num, toJson } from './codec.ts';
import type { Db } from './context.ts';
import type { ResourcesTable, RolesTable, ScopesTable } from './schema.ts';

const toRole = (row: Selectable<RolesTable>): Role => ({
  name: row.name,
  description: row.description,
  permissions: fromJson<string[]>(row.permissions, []),
});

const toScope = (row: Selectable<ScopesTable>): ScopeDefinition => ({
  name: row.name,
  kind: row.kind as ScopeKind,
  allowedRoles: fromJson<string[]>(row.allowed_roles, []),
  sensitivity: row.sensitivity as Sensitivity,
  optional: num(row.optional) === 1,
  description: row.description,
});

const toResource = (row: Selectable<ResourcesTable>): ProtectedResource => ({
  uri: row.uri,
  name: row.name,
  scopes: fromJson<string[]>(row.scopes, []),
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
});

export function roleStore({ db }: Db): RoleStore {
  return {
    async upsert(role) {
      const values = { name: role.name, description: role.description, permissions: toJson(role.permissions) };
      await db
        .insertInto('roles')
        .values(values)
        .onConflict((oc) => oc.column('name').doUpdateSet({ description: values.description, permissions: values.permissions }))
        .execute();
    },
    async get(name) {
      const row = await db.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toRole(row);
    },
    async list() {
      return (await db.selectFrom('roles').selectAll().orderBy('name').execute()).map(toRole);
    },
    async delete(name) {
      const result = await db.deleteFrom('roles').where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export function scopeStore({ db }: Db): ScopeStore {
  return {
    async upsert(scope) {
      const values = {
        name: scope.name,
        kind: scope.kind,
        allowed_roles: toJson(scope.allowedRoles),
        sensitivity: scope.sensitivity,
        optional: scope.optional ? 1 : 0,
        description: scope.description,
      };
      const { name: _name, ...update } = values;
      await db.insertInto('scopes').values(values).onConflict((oc) => oc.column('name').doUpdateSet(update)).execute();
    },
    async get(name) {
      const row = await db.selectFrom('scopes').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toScope(row);
    },
    async list() {
      return (await db.selectFrom('scopes').selectAll().orderBy('name').execute()).map(toScope);
    },
    async delete(name) {
      const result = await db.deleteFrom('scopes').where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

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
          created_at: resource.createdAt,
          updated_at: resource.updatedAt,
        })
        .onConflict((oc) =>
          oc.column('uri').doUpdateSet({ name: resource.name, scopes: toJson(resource.scopes), updated_at: resource.updatedAt }),
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

export const catalogStores = (db: Db) => ({ roles: roleStore(db), scopes: scopeStore(db), resources: resourceStore(db) });
