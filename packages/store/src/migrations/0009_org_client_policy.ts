/**
 * Client control per organization (issue 16, item 2): an org's policy mode
 * (open, allowlist, approval) and its rules, one row per client id or
 * metadata-document host it allowed, blocked or holds pending. Both go with
 * their org. No row in org_client_policies means `open`: existing orgs
 * keep letting any client in until an admin says otherwise.
 */
import type { Kysely, Migration } from 'kysely';

const ms = 'bigint' as const;

export const orgClientPolicyMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('org_client_policies')
      .addColumn('org_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('org_client_rules')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('updated_at', ms, (c) => c.notNull())
      .addPrimaryKeyConstraint('org_client_rules_pk', ['org_id', 'kind', 'value'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('org_client_rules').execute();
    await db.schema.dropTable('org_client_policies').execute();
  },
};
