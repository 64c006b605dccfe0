/**
 * The bearer token an organization's directory presents at `/scim/v2/<org>/`
 * (issue 13, item 3): one per org, stored as its SHA-256 only (a random
 * 256-bit token needs no slow hash). Rotating replaces the row; the old
 * token stops working at once.
 */
import type { Kysely, Migration } from 'kysely';

const ms = 'bigint' as const;

export const scimTokensMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('scim_tokens')
      .addColumn('org_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', ms, (c) => c.notNull())
      .addColumn('rotated_at', ms)
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('scim_tokens').execute();
  },
};
