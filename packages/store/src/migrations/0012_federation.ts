/**
 * Enterprise sign-in per organization (issue 13): the identities a
 * company's IdP vouched for, linked to Gatehouse accounts; the org's email
 * domains and how each was verified; its group → role mapping and whether
 * it enforces SSO; and the identity providers configured for it (from the
 * config file or a setup link). Everything goes with its org.
 */
import type { Kysely, Migration } from 'kysely';

const ms = 'bigint' as const;

export const federationMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('external_identities')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('last_sign_in_at', ms, (c) => c.notNull())
      .addPrimaryKeyConstraint('external_identities_pk', ['org_id', 'provider', 'subject'])
      .execute();
    await db.schema.createIndex('external_identities_user').on('external_identities').column('user_id').execute();
    await db.schema
      .createTable('org_domains')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('challenge', 'text', (c) => c.notNull())
      .addColumn('verified_by', 'text')
      .addColumn('verified_at', ms)
      .addColumn('created_at', ms, (c) => c.notNull())
      .addPrimaryKeyConstraint('org_domains_pk', ['org_id', 'name'])
      .execute();
    await db.schema.createIndex('org_domains_name').on('org_domains').column('name').execute();
    await db.schema
      .createTable('org_sso_settings')
      .addColumn('org_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
      .addColumn('group_roles', 'text', (c) => c.notNull())
      .addColumn('default_roles', 'text', (c) => c.notNull())
      .addColumn('enforce_sso', 'integer', (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('org_identity_providers')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .addPrimaryKeyConstraint('org_identity_providers_pk', ['org_id', 'id'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('org_identity_providers').execute();
    await db.schema.dropTable('org_sso_settings').execute();
    await db.schema.dropTable('org_domains').execute();
    await db.schema.dropTable('external_identities').execute();
  },
};
