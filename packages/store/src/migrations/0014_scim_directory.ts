/**
 * SCIM 2.0 provisioning (issue 13, item 3): what an organization's directory
 * (Okta, Entra ID, …) pushed. `scim_users` links a Gatehouse user to the
 * org's directory record: the directory's own id (externalId), the userName
 * it knows the person by (unique per org, compared case-insensitively, so
 * `user_name_key` holds it lower-cased), whether the directory has the
 * person active, whether the directory created the Gatehouse account (then
 * deprovisioning may disable the account itself) and the attributes it sent,
 * returned as it sent them. `scim_groups` and `scim_group_members` are the
 * directory's groups, mapped to org roles through the org's `directory`
 * config. `version` is the resource's ETag (RFC 7644 §3.14). Everything goes
 * with its org and its user.
 */
import type { Kysely, Migration } from 'kysely';

const ms = 'bigint' as const;

export const scimDirectoryMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('scim_users')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('user_name_key', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('owns_account', 'integer', (c) => c.notNull())
      .addColumn('attributes', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .addPrimaryKeyConstraint('scim_users_pk', ['org_id', 'user_id'])
      .addUniqueConstraint('scim_users_user_name_uq', ['org_id', 'user_name_key'])
      .execute();
    await db.schema.createIndex('scim_users_user_idx').on('scim_users').column('user_id').execute();

    await db.schema
      .createTable('scim_groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .addUniqueConstraint('scim_groups_display_name_uq', ['org_id', 'display_name'])
      .execute();

    await db.schema
      .createTable('scim_group_members')
      .addColumn('group_id', 'text', (c) => c.notNull().references('scim_groups.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('scim_group_members_pk', ['group_id', 'user_id'])
      .execute();
    await db.schema.createIndex('scim_group_members_user_idx').on('scim_group_members').column('user_id').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('scim_group_members').execute();
    await db.schema.dropTable('scim_groups').execute();
    await db.schema.dropTable('scim_users').execute();
  },
};
