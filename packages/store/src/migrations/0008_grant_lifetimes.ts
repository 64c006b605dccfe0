/**
 * Grant lifetimes (issue 16, item 1): a grant's absolute end, which refresh
 * rotation never extends, and per-scope ends for time-boxed or emergency
 * access. Existing grants get no stored end: the server counts their
 * lifetime from `created_at` (docs/tokens.md "Lifetimes"), so upgrading
 * never gives an old grant more time than a new one. A scope may set its
 * own grant lifetime and re-consent cadence (null: by its sensitivity).
 */
import type { Kysely, Migration } from 'kysely';

export const grantLifetimesMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('grants').addColumn('expires_at', 'bigint').execute();
    await db.schema
      .alterTable('grants')
      .addColumn('scope_expires_at', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema.alterTable('scopes').addColumn('max_grant_lifetime_days', 'integer').execute();
    await db.schema.alterTable('scopes').addColumn('reconsent_after_days', 'integer').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('scopes').dropColumn('reconsent_after_days').execute();
    await db.schema.alterTable('scopes').dropColumn('max_grant_lifetime_days').execute();
    await db.schema.alterTable('grants').dropColumn('scope_expires_at').execute();
    await db.schema.alterTable('grants').dropColumn('expires_at').execute();
  },
};
