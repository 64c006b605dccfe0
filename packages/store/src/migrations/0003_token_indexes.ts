/**
 * Partial indexes on `tokens` for the columns many rows leave NULL, so
 * writing such a row skips that index entirely (each index is one more
 * B-tree insert, usually on a random page, per issued token):
 *
 * - `parent_hash`: only rotated refresh tokens have one; access tokens and
 *   first refresh tokens never do.
 * - `grant_id`, `user_id`: client_credentials tokens have neither.
 *
 * Every lookup on these columns is an equality (`revokeGrant`,
 * `revokeForUser`, the refresh grace rule's parent/sibling lookups), which
 * both SQLite and PostgreSQL prove implies `IS NOT NULL`, so they keep
 * using the index. `family_id`, `client_id` and `expires_at` are NOT NULL
 * on every row and stay as they are.
 */
import type { Kysely, Migration } from 'kysely';

interface PartialIndex {
  name: string;
  columns: string[];
  /** The column whose NULL rows the index leaves out. */
  notNull: string;
}

const PARTIAL: PartialIndex[] = [
  { name: 'tokens_parent_idx', columns: ['parent_hash'], notNull: 'parent_hash' },
  { name: 'tokens_grant_idx', columns: ['grant_id'], notNull: 'grant_id' },
  { name: 'tokens_user_idx', columns: ['user_id', 'org_id'], notNull: 'user_id' },
];

export const tokenIndexesMigration: Migration = {
  async up(db: Kysely<any>) {
    for (const { name, columns, notNull } of PARTIAL) {
      await db.schema.dropIndex(name).execute();
      await db.schema.createIndex(name).on('tokens').columns(columns).where(notNull, 'is not', null).execute();
    }
  },
  async down(db: Kysely<any>) {
    for (const { name, columns } of PARTIAL) {
      await db.schema.dropIndex(name).execute();
      await db.schema.createIndex(name).on('tokens').columns(columns).execute();
    }
  },
};
