import type { Selectable } from 'kysely';
import type { Role } from '@gatehouse-auth/core';
import type { RoleStore } from '../types.ts';
import { fromJson, toJson } from './codec.ts';
import type { Db } from './context.ts';
import type { RolesTable } from './schema.ts';

const toRole = (row: Selectable<RolesTable>): Role => ({
  name: row.name,
  description: row.description,
  permissions: fromJson<string[]>(row.permissions, []),
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
