/** The Kysely implementation of ScimDirectoryStore (migrations 0014, 0015). */
import type { Selectable } from 'kysely';
import type { ScimDirectoryStore, ScimGroupRecord, ScimUserRecord } from '../scim-types.ts';
import { fromJson, num, toJson } from './codec.ts';
import { inTransaction, type Db } from './context.ts';
import { isUniqueViolation } from './dialect.ts';
import { revokeGrantRows, revokeTokensWhere } from './revocation.ts';
import type { ScimUsersTable } from './schema.ts';
import { byGrant } from './token-filters.ts';

const nameKey = (userName: string): string => userName.trim().toLowerCase();

const toUser = (row: Selectable<ScimUsersTable>): ScimUserRecord => ({
  orgId: row.org_id,
  userId: row.user_id,
  userName: row.user_name,
  externalId: row.external_id,
  active: Number(row.active) === 1,
  ownsAccount: Number(row.owns_account) === 1,
  attributes: fromJson<Record<string, unknown>>(row.attributes, {}),
  version: Number(row.version),
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
});

const userColumns = (r: ScimUserRecord) => ({
  user_name: r.userName,
  user_name_key: nameKey(r.userName),
  external_id: r.externalId,
  active: r.active ? 1 : 0,
  owns_account: r.ownsAccount ? 1 : 0,
  attributes: toJson(r.attributes),
  version: r.version,
  updated_at: r.updatedAt,
});

export function scimStore({ db }: Db): ScimDirectoryStore {
  const membersOf = async (groupIds: string[]): Promise<Map<string, string[]>> => {
    const members = new Map<string, string[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return members;
    const rows = await db.selectFrom('scim_group_members').select(['group_id', 'user_id']).where('group_id', 'in', groupIds).orderBy('user_id').execute();
    for (const row of rows) members.get(row.group_id)?.push(row.user_id);
    return members;
  };
  const groupsWithMembers = async (where: { orgId: string; id?: string; displayName?: string }): Promise<ScimGroupRecord[]> => {
    let query = db.selectFrom('scim_groups').selectAll().where('org_id', '=', where.orgId);
    if (where.id !== undefined) query = query.where('id', '=', where.id);
    if (where.displayName !== undefined) query = query.where('display_name', '=', where.displayName);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    const members = await membersOf(rows.map((r) => r.id));
    return rows.map((row) => ({
      id: row.id,
      orgId: row.org_id,
      displayName: row.display_name,
      externalId: row.external_id,
      members: members.get(row.id) ?? [],
      version: Number(row.version),
      createdAt: num(row.created_at),
      updatedAt: num(row.updated_at),
    }));
  };
  const writeMembers = async (trx: Db['db'], groupId: string, members: string[]) => {
    await trx.deleteFrom('scim_group_members').where('group_id', '=', groupId).execute();
    const unique = [...new Set(members)];
    // Chunked: PostgreSQL and SQLite cap the parameters of one statement.
    for (let i = 0; i < unique.length; i += 500) {
      await trx
        .insertInto('scim_group_members')
        .values(unique.slice(i, i + 500).map((userId) => ({ group_id: groupId, user_id: userId })))
        .execute();
    }
  };
  const catchDuplicate = async (write: () => Promise<'written' | 'version_mismatch'>) => {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) return 'duplicate' as const;
      throw error;
    }
  };

  return {
    async getUser(orgId, userId) {
      const row = await db.selectFrom('scim_users').selectAll().where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      return row && toUser(row);
    },
    async findUserByName(orgId, userName) {
      const row = await db.selectFrom('scim_users').selectAll().where('org_id', '=', orgId).where('user_name_key', '=', nameKey(userName)).executeTakeFirst();
      return row && toUser(row);
    },
    async listUsers(orgId) {
      const rows = await db.selectFrom('scim_users').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('user_id').execute();
      return rows.map(toUser);
    },
    createUser(record) {
      return catchDuplicate(async () => {
        await db
          .insertInto('scim_users')
          .values({ org_id: record.orgId, user_id: record.userId, ...userColumns(record), created_at: record.createdAt })
          .execute();
        return 'written';
      });
    },
    replaceUser(record, expectedVersion) {
      return catchDuplicate(async () => {
        const result = await db
          .updateTable('scim_users')
          .set(userColumns(record))
          .where('org_id', '=', record.orgId)
          .where('user_id', '=', record.userId)
          .where('version', '=', expectedVersion)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0 ? 'written' : 'version_mismatch';
      });
    },
    async deleteUser(orgId, userId) {
      const result = await db.deleteFrom('scim_users').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async getGroup(orgId, groupId) {
      return (await groupsWithMembers({ orgId, id: groupId }))[0];
    },
    listGroups(orgId) {
      return groupsWithMembers({ orgId });
    },
    async findGroupByName(orgId, displayName) {
      return (await groupsWithMembers({ orgId, displayName }))[0];
    },
    createGroup(record) {
      return catchDuplicate(() =>
        inTransaction(db, async (trx) => {
          await trx
            .insertInto('scim_groups')
            .values({
              id: record.id,
              org_id: record.orgId,
              display_name: record.displayName,
              external_id: record.externalId,
              version: record.version,
              created_at: record.createdAt,
              updated_at: record.updatedAt,
            })
            .execute();
          await writeMembers(trx, record.id, record.members);
          return 'written' as const;
        }),
      );
    },
    replaceGroup(record, expectedVersion) {
      return catchDuplicate(() =>
        inTransaction(db, async (trx) => {
          const result = await trx
            .updateTable('scim_groups')
            .set({ display_name: record.displayName, external_id: record.externalId, version: record.version, updated_at: record.updatedAt })
            .where('org_id', '=', record.orgId)
            .where('id', '=', record.id)
            .where('version', '=', expectedVersion)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) === 0) return 'version_mismatch' as const;
          await writeMembers(trx, record.id, record.members);
          return 'written' as const;
        }),
      );
    },
    async deleteGroup(orgId, groupId) {
      return inTransaction(db, async (trx) => {
        // Members first: SQLite enforces the cascade only with foreign keys on.
        const group = await trx.selectFrom('scim_groups').select('id').where('org_id', '=', orgId).where('id', '=', groupId).executeTakeFirst();
        if (!group) return false;
        await trx.deleteFrom('scim_group_members').where('group_id', '=', groupId).execute();
        await trx.deleteFrom('scim_groups').where('id', '=', groupId).execute();
        return true;
      });
    },
    async groupsOfUser(orgId, userId) {
      const rows = await db
        .selectFrom('scim_group_members')
        .innerJoin('scim_groups', 'scim_groups.id', 'scim_group_members.group_id')
        .select(['scim_groups.id', 'scim_groups.display_name'])
        .where('scim_groups.org_id', '=', orgId)
        .where('scim_group_members.user_id', '=', userId)
        .orderBy('scim_groups.display_name')
        .execute();
      return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
    },
    async removeUserFromGroups(orgId, userId) {
      return inTransaction(db, async (trx) => {
        const rows = await trx
          .selectFrom('scim_group_members')
          .innerJoin('scim_groups', 'scim_groups.id', 'scim_group_members.group_id')
          .select('scim_groups.id')
          .where('scim_groups.org_id', '=', orgId)
          .where('scim_group_members.user_id', '=', userId)
          .execute();
        const ids = rows.map((r) => r.id);
        if (ids.length > 0) {
          await trx.deleteFrom('scim_group_members').where('user_id', '=', userId).where('group_id', 'in', ids).execute();
          // Their member lists changed: a directory holding their old ETag must not overwrite them.
          await trx
            .updateTable('scim_groups')
            .set((eb) => ({ version: eb('version', '+', 1) }))
            .where('id', 'in', ids)
            .execute();
        }
        return ids;
      });
    },

    async setToken(orgId, tokenHash, now) {
      return inTransaction(db, async (trx) => {
        const existing = await trx.selectFrom('scim_tokens').select('org_id').where('org_id', '=', orgId).executeTakeFirst();
        if (existing) {
          await trx.updateTable('scim_tokens').set({ token_hash: tokenHash, rotated_at: now }).where('org_id', '=', orgId).execute();
        } else {
          await trx.insertInto('scim_tokens').values({ org_id: orgId, token_hash: tokenHash, created_at: now, rotated_at: null }).execute();
        }
        return { replaced: existing !== undefined };
      });
    },
    async hasToken(orgId) {
      return (await db.selectFrom('scim_tokens').select('org_id').where('org_id', '=', orgId).executeTakeFirst()) !== undefined;
    },
    async orgOfToken(tokenHash) {
      return (await db.selectFrom('scim_tokens').select('org_id').where('token_hash', '=', tokenHash).executeTakeFirst())?.org_id;
    },

    narrowGrant(grantId, scopes, now) {
      return inTransaction(db, async (trx) => {
        if (scopes.length === 0) {
          const { revoked, tokenHashes } = await revokeGrantRows(trx, grantId, now);
          return { tokenHashes, grantRevoked: revoked };
        }
        const grant = await trx.selectFrom('grants').select('scope_consented_at').where('id', '=', grantId).executeTakeFirst();
        const consented = fromJson<Record<string, number>>(grant?.scope_consented_at, {});
        const kept = Object.fromEntries(Object.entries(consented).filter(([scope]) => scopes.includes(scope)));
        await trx
          .updateTable('grants')
          .set({ scopes: toJson(scopes), scope_consented_at: toJson(kept), updated_at: now })
          .where('id', '=', grantId)
          .execute();
        return { tokenHashes: await revokeTokensWhere(trx, now, byGrant(grantId)), grantRevoked: false };
      });
    },
  };
}
