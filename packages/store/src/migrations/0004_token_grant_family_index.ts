/**
 * One index for a token's grant and family, instead of one each.
 *
 * A refresh rotation inserts two rows whose grant and family are those of
 * the chain: with an index per column, each row landed on two pages that
 * other chains do not share, both written to the WAL at commit. Tokens of a
 * grant are looked up by grant (revocation) or by grant and family
 * (`revokeFamily`: a family never spans grants), so `(grant_id, family_id)`
 * answers both, one page per row.
 *
 * Tokens without a grant (client_credentials) keep a family index of their
 * own, partial on `grant_id IS NULL`; their family ids lead with the issue
 * time, so those inserts land on its right edge.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const tokenGrantFamilyIndexMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.dropIndex('tokens_grant_idx').execute();
    await db.schema.dropIndex('tokens_family_idx').execute();
    await db.schema.createIndex('tokens_grant_family_idx').on('tokens').columns(['grant_id', 'family_id']).where('grant_id', 'is not', null).execute();
    await db.schema.createIndex('tokens_family_idx').on('tokens').column('family_id').where(sql.ref('grant_id'), 'is', null).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('tokens_grant_family_idx').execute();
    await db.schema.dropIndex('tokens_family_idx').execute();
    await db.schema.createIndex('tokens_grant_idx').on('tokens').column('grant_id').where('grant_id', 'is not', null).execute();
    await db.schema.createIndex('tokens_family_idx').on('tokens').column('family_id').execute();
  },
};
