/**
 * Setup links (issue 13, item 5): an org admin hands the company's IT an
 * expiring link that configures that org's identity provider and nothing
 * else. Only the SHA-256 of the link's token is kept.
 */
import type { Kysely, Migration } from 'kysely';

const ms = 'bigint' as const;

export const setupLinksMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('setup_links')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('expires_at', ms, (c) => c.notNull())
      .addColumn('revoked_at', ms)
      .execute();
    await db.schema.createIndex('setup_links_org').on('setup_links').column('org_id').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('setup_links').execute();
  },
};
