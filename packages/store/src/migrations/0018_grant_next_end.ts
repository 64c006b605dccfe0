/**
 * Grants that end by themselves are recorded by a periodic sweep (issue 16,
 * item 1: time-boxed or emergency access ends with an audit record, not only
 * when a refresh happens to notice). `ends_next_at` is when the grant's next
 * unrecorded end falls: its absolute end, or the earliest own end of a scope
 * it still holds; null when neither is set. The sweep looks up due grants by
 * this indexed column instead of reading every grant's JSON. Existing live
 * grants get it computed here.
 */
import type { Kysely, Migration } from 'kysely';
import { nextUnrecordedEnd } from '../kysely/grant-ends.ts';

export const grantNextEndMigration: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('grants').addColumn('ends_next_at', 'bigint').execute();
    await db.schema.createIndex('grants_ends_next_at').on('grants').column('ends_next_at').execute();
    const rows = await db.selectFrom('grants').select(['id', 'scopes', 'expires_at', 'scope_expires_at']).where('revoked_at', 'is', null).execute();
    for (const row of rows) {
      const end = nextUnrecordedEnd({
        scopes: JSON.parse(row.scopes) as string[],
        expiresAt: row.expires_at === null ? null : Number(row.expires_at),
        scopeExpiresAt: JSON.parse(row.scope_expires_at) as Record<string, number>,
      });
      if (end !== null) await db.updateTable('grants').set({ ends_next_at: end }).where('id', '=', row.id).execute();
    }
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('grants_ends_next_at').execute();
    await db.schema.alterTable('grants').dropColumn('ends_next_at').execute();
  },
};
