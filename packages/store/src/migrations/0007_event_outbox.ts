/**
 * `event_outbox`: events written by processes that serve no HTTP (the CLI)
 * for the running server to pick up, on engines without a message channel
 * of their own. With SQLite, `gatehouse tokens revoke` and the server share
 * only the database file: the command appends its events here and the
 * server tails the table (cli/src/server/outbox-tail.ts), publishing them
 * onto its bus so its caches and every resource server's revocation stream
 * hear them within a poll. PostgreSQL uses LISTEN/NOTIFY instead; the
 * table exists there too so both engines keep one schema.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { engineOf } from '../kysely/dialect.ts';

export const eventOutboxMigration: Migration = {
  async up(db: Kysely<any>) {
    // SQLite: INTEGER PRIMARY KEY is the rowid, assigned in commit order by the one writer.
    const id = engineOf(db) === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
    await sql.raw(`CREATE TABLE event_outbox (id ${id}, created_at BIGINT NOT NULL, event TEXT NOT NULL)`).execute(db);
    await db.schema.createIndex('event_outbox_created_idx').on('event_outbox').column('created_at').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('event_outbox').execute();
  },
};
