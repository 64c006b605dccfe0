import type { Selectable } from 'kysely';
import type { User, UserStatus } from '@gatehouse-auth/core';
import { DuplicateError, type UserStore } from '../types.ts';
import { normalizeEmail, num } from './codec.ts';
import { isUniqueViolation } from './dialect.ts';
import type { Db } from './context.ts';
import { prepared } from './prepared.ts';
import type { UsersTable } from './schema.ts';

const toUser = (row: Selectable<UsersTable>): User => ({
  id: row.id,
  email: row.email,
  name: row.name,
  passwordHash: row.password_hash,
  status: row.status as UserStatus,
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
});

/** Read at every code redemption and refresh (the active-subject check): compiled once (prepared.ts). */
const selectUser = prepared(1, (db, id: string) => db.selectFrom('users').selectAll().where('id', '=', id));

export function userStore({ db, engine }: Db): UserStore {
  const get = async (id: string) => {
    const row = (await selectUser(db, engine, id)).rows[0];
    return row && toUser(row);
  };
  return {
    async create(user) {
      try {
        await db
          .insertInto('users')
          .values({
            id: user.id,
            email: normalizeEmail(user.email),
            name: user.name,
            password_hash: user.passwordHash,
            status: user.status,
            created_at: user.createdAt,
            updated_at: user.updatedAt,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateError(`user ${user.id} or its email`);
        throw error;
      }
    },
    get,
    async getByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
      return row && toUser(row);
    },
    async list() {
      const rows = await db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toUser);
    },
    async update(id, patch, now) {
      const set: { updated_at: number; name?: string; password_hash?: string | null; email?: string } = { updated_at: now };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
      if (patch.email !== undefined) set.email = normalizeEmail(patch.email);
      try {
        const row = await db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirst();
        return row && toUser(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateError(`a user with email ${set.email}`);
        throw error;
      }
    },
    async setStatus(id, status, now) {
      const row = await db.updateTable('users').set({ status, updated_at: now }).where('id', '=', id).returningAll().executeTakeFirst();
      return row && toUser(row);
    },
  };
}
