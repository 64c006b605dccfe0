/**
 * SAML 2.0 sign-in state shared by every Gatehouse process (issue 13).
 * `saml_states`: one round trip's state, taken exactly once (an AuthnRequest
 * we sent, awaiting its response; a verified sign-in awaiting its browser).
 * `saml_assertions`: the replay cache, each assertion id kept until its
 * NotOnOrAfter so the same assertion presented twice, to any process, is
 * refused.
 */
import type { Kysely, Migration } from 'kysely';

const ms = 'bigint' as const;

export const samlMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('saml_states')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('expires_at', ms, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('saml_states_expires_idx').on('saml_states').column('expires_at').execute();
    await db.schema
      .createTable('saml_assertions')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', ms, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('saml_assertions_expires_idx').on('saml_assertions').column('expires_at').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('saml_assertions').execute();
    await db.schema.dropTable('saml_states').execute();
  },
};
