/**
 * The event outbox (migration 0007): how a process that only changes the
 * database (the CLI) tells the running server what it did when both share
 * nothing but a SQLite file. Writers append an event after their change;
 * the server reads what is newer than the last id it saw. `changed()`
 * answers from SQLite's `PRAGMA data_version` (it moves only when another
 * connection commits), so an idle server's poll costs no table read.
 */
import { sql } from 'kysely';
import type { Store } from './types.ts';
import { kyselyOf } from './kysely/store.ts';

export interface OutboxEntry {
  id: number;
  event: unknown;
}

/** Rows older than this are pruned by writers: a server that was down longer starts from the newest row anyway. */
const KEEP_MS = 60 * 60 * 1000;

/** Appends `event` (JSON-serialisable) and prunes rows older than an hour. */
export async function appendOutbox(store: Store, event: unknown, now: number): Promise<void> {
  const { db } = kyselyOf(store);
  await db.transaction().execute(async (trx) => {
    await sql`INSERT INTO event_outbox (created_at, event) VALUES (${now}, ${JSON.stringify(event)})`.execute(trx);
    await sql`DELETE FROM event_outbox WHERE created_at < ${now - KEEP_MS}`.execute(trx);
  });
}

/** The newest id (0 when empty): where a reader starts, so it replays nothing that predates it. */
export async function outboxHead(store: Store): Promise<number> {
  const { rows } = await sql<{ head: number | string | null }>`SELECT MAX(id) AS head FROM event_outbox`.execute(kyselyOf(store).db);
  return Number(rows[0]?.head ?? 0);
}

/** Entries with an id above `afterId`, oldest first (at most `limit`). */
export async function readOutbox(store: Store, afterId: number, limit = 500): Promise<OutboxEntry[]> {
  const { rows } = await sql<{ id: number | string; event: string }>`SELECT id, event FROM event_outbox WHERE id > ${afterId} ORDER BY id LIMIT ${limit}`.execute(kyselyOf(store).db);
  return rows.map((row) => ({ id: Number(row.id), event: JSON.parse(row.event) as unknown }));
}

/**
 * SQLite only: a number that changes whenever another connection has
 * committed to the file since the last call on this connection (undefined
 * on PostgreSQL). A reader skips its query while it stays the same.
 */
export async function dataVersion(store: Store): Promise<number | undefined> {
  if (store.engine !== 'sqlite') return undefined;
  const { rows } = await sql<{ data_version: number }>`PRAGMA data_version`.execute(kyselyOf(store).db);
  return Number(rows[0]?.data_version ?? 0);
}
