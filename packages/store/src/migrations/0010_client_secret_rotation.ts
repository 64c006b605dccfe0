/**
 * Confidential clients' secrets rotate with an overlap and can expire
 * (issue 16, item 2): the current secret's expiry, and the previous secret
 * (SHA-256, like the current one) with the end of its overlap. Existing
 * secrets never expire until rotated.
 */
import type { Kysely, Migration } from 'kysely';

export const clientSecretRotationMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('clients').addColumn('secret_expires_at', 'bigint').execute();
    await db.schema.alterTable('clients').addColumn('previous_secret_hash', 'text').execute();
    await db.schema.alterTable('clients').addColumn('previous_secret_expires_at', 'bigint').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('clients').dropColumn('previous_secret_expires_at').execute();
    await db.schema.alterTable('clients').dropColumn('previous_secret_hash').execute();
    await db.schema.alterTable('clients').dropColumn('secret_expires_at').execute();
  },
};
