import type { Selectable } from 'kysely';
import type { Membership, Organization } from '@gatehouse-auth/core';
import { DuplicateError, type OrgStore } from '../types.ts';
import { fromJson, num, numOrNull, toJson } from './codec.ts';
import { isUniqueViolation } from './dialect.ts';
import type { Db } from './context.ts';
import { prepared } from './prepared.ts';
import type { MembershipsTable, OrganizationsTable } from './schema.ts';

const toOrg = (row: Selectable<OrganizationsTable>): Organization => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  auditRetentionDays: numOrNull(row.audit_retention_days),
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
});

const toMembership = (row: Selectable<MembershipsTable>): Membership => ({
  userId: row.user_id,
  orgId: row.org_id,
  roles: fromJson<string[]>(row.roles, []),
  createdAt: num(row.created_at),
  updatedAt: num(row.updated_at),
});

/** Read at every code redemption and refresh (the active-subject check): compiled once (prepared.ts). */
const selectMembership = prepared(2, (db, userId: string, orgId: string) => db.selectFrom('memberships').selectAll().where('user_id', '=', userId).where('org_id', '=', orgId));

export function orgStore({ db, engine }: Db): OrgStore {
  return {
    async create(org) {
      try {
        await db
          .insertInto('organizations')
          .values({
            id: org.id,
            slug: org.slug,
            name: org.name,
            audit_retention_days: org.auditRetentionDays,
            created_at: org.createdAt,
            updated_at: org.updatedAt,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateError(`organization ${org.id} or slug ${org.slug}`);
        throw error;
      }
    },
    async get(id) {
      const row = await db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toOrg(row);
    },
    async getBySlug(slug) {
      const row = await db.selectFrom('organizations').selectAll().where('slug', '=', slug).executeTakeFirst();
      return row && toOrg(row);
    },
    async list() {
      const rows = await db.selectFrom('organizations').selectAll().orderBy('slug').execute();
      return rows.map(toOrg);
    },
    async update(id, patch, now) {
      const set: { updated_at: number; name?: string; audit_retention_days?: number | null } = { updated_at: now };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.auditRetentionDays !== undefined) set.audit_retention_days = patch.auditRetentionDays;
      const row = await db.updateTable('organizations').set(set).where('id', '=', id).returningAll().executeTakeFirst();
      return row && toOrg(row);
    },
    async upsertMembership(m) {
      // Keeps the original created_at when the member already exists.
      await db
        .insertInto('memberships')
        .values({ user_id: m.userId, org_id: m.orgId, roles: toJson(m.roles), created_at: m.createdAt, updated_at: m.updatedAt })
        .onConflict((oc) => oc.columns(['user_id', 'org_id']).doUpdateSet({ roles: toJson(m.roles), updated_at: m.updatedAt }))
        .execute();
    },
    async removeMembership(userId, orgId) {
      const result = await db.deleteFrom('memberships').where('user_id', '=', userId).where('org_id', '=', orgId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async getMembership(userId, orgId) {
      const row = (await selectMembership(db, engine, userId, orgId)).rows[0];
      return row && toMembership(row);
    },
    async listMembershipsOfUser(userId) {
      const rows = await db.selectFrom('memberships').selectAll().where('user_id', '=', userId).orderBy('org_id').execute();
      return rows.map(toMembership);
    },
    async listMembers(orgId) {
      const rows = await db.selectFrom('memberships').selectAll().where('org_id', '=', orgId).orderBy('user_id').execute();
      return rows.map(toMembership);
    },
  };
}
