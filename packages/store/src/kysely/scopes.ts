import type { Selectable } from 'kysely';
import type { ScopeDefinition, ScopeKind, Sensitivity } from '@gatehouse-auth/core';
import type { ScopeStore } from '../types.ts';
import { fromJson, num, toJson } from './codec.ts';
import type { Db } from './context.ts';
import type { ScopesTable } from './schema.ts';

function toScope(row: Selectable<ScopesTable>): ScopeDefinition {
  const scope: ScopeDefinition = {
    name: row.name,
    kind: row.kind as ScopeKind,
    allowedRoles: fromJson<string[]>(row.allowed_roles, []),
    sensitivity: row.sensitivity as Sensitivity,
    optional: num(row.optional) === 1,
    description: row.description,
  };
  // Only when set: a scope without its own lifetimes follows its sensitivity.
  if (row.max_grant_lifetime_days !== null) scope.maxGrantLifetimeDays = num(row.max_grant_lifetime_days);
  if (row.reconsent_after_days !== null) scope.reconsentAfterDays = num(row.reconsent_after_days);
  return scope;
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
        max_grant_lifetime_days: scope.maxGrantLifetimeDays ?? null,
        reconsent_after_days: scope.reconsentAfterDays ?? null,
      };
      const { name: _name, ...update } = values;
      await db
        .insertInto('scopes')
        .values(values)
        .onConflict((oc) => oc.column('name').doUpdateSet(update))
        .execute();
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
