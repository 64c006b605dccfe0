/**
 * Test helpers: engines to run against (PostgreSQL gated per the common
 * rules) and an "attacker" with direct SQL access, who can switch the
 * append-only triggers off as a table owner could.
 */
import { sql, type Kysely } from 'kysely';
import { createAuditSchema, kyselyOf, type AuditRow, type Store } from '@gatehouse-auth/store';
import { requirePostgres } from '@gatehouse-auth/store/testing';
import { canonicalRecord, chainHash } from '../src/chain.ts';

export const ENGINES = ['sqlite', 'postgres'] as const;
export type EngineName = (typeof ENGINES)[number];

const postgresOk = new Map<string, boolean>();
/** True when the suite may run on `engine` (throws under CI=true when PostgreSQL is down). */
export async function engineAvailable(engine: EngineName, suite: string): Promise<boolean> {
  if (engine === 'sqlite') return true;
  if (!postgresOk.has(suite)) postgresOk.set(suite, await requirePostgres(suite));
  return postgresOk.get(suite)!;
}

/** Runs `tamper` with the append-only triggers off, then puts them back. */
export async function asAttacker(store: Store, tamper: (db: Kysely<any>) => Promise<void>): Promise<void> {
  const { db, engine } = kyselyOf(store);
  if (engine === 'postgres') {
    await sql`ALTER TABLE audit_records DISABLE TRIGGER USER`.execute(db);
    await sql`ALTER TABLE audit_checkpoints DISABLE TRIGGER USER`.execute(db);
    try {
      await tamper(db);
    } finally {
      await sql`ALTER TABLE audit_records ENABLE TRIGGER USER`.execute(db);
      await sql`ALTER TABLE audit_checkpoints ENABLE TRIGGER USER`.execute(db);
    }
    return;
  }
  for (const trigger of ['audit_records_no_update', 'audit_records_no_delete', 'audit_checkpoints_no_update', 'audit_checkpoints_no_delete']) {
    await sql.raw(`DROP TRIGGER ${trigger}`).execute(db);
  }
  try {
    await tamper(db);
  } finally {
    await createAuditSchema(db, 'sqlite');
  }
}

/** Moves rows seq ≥ from of a chain by `delta` without tripping the primary key mid-statement. */
export async function shiftSeqs(db: Kysely<any>, chain: string, from: number, delta: number): Promise<void> {
  await sql`UPDATE audit_records SET seq = seq + 1000000 WHERE chain = ${chain} AND seq >= ${from}`.execute(db);
  await sql`UPDATE audit_records SET seq = seq - 1000000 + ${delta} WHERE chain = ${chain} AND seq >= ${from + 1000000}`.execute(db);
}

export async function setSeq(db: Kysely<any>, chain: string, from: number, to: number): Promise<void> {
  await sql`UPDATE audit_records SET seq = ${to} WHERE chain = ${chain} AND seq = ${from}`.execute(db);
}

/** Recomputes every hash of the chain from `fromSeq` on, as an attacker covering an edit would. */
export async function recomputeChain(store: Store, db: Kysely<any>, chain: string, fromSeq: number): Promise<void> {
  const rows = await store.audit.scan(chain, 0, 1_000_000);
  let previous = '';
  for (const row of rows) {
    if (row.seq >= fromSeq) {
      const hash = chainHash(previous, canonicalRecord(row));
      await sql`UPDATE audit_records SET hash = ${hash} WHERE chain = ${chain} AND seq = ${row.seq}`.execute(db);
      previous = hash;
    } else previous = row.hash;
  }
}

export function insertRow(db: Kysely<any>, row: AuditRow): Promise<unknown> {
  return db
    .insertInto('audit_records')
    .values({
      chain: row.chain,
      seq: row.seq,
      time: row.time,
      type: row.type,
      org_id: row.orgId,
      user_id: row.userId,
      agent_id: row.agentId,
      client_id: row.clientId,
      client_name: row.clientName,
      session_id: row.sessionId,
      tool: row.tool,
      params: row.params,
      result: row.result,
      error: row.error,
      scopes: row.scopes,
      ip: row.ip,
      user_agent: row.userAgent,
      actor: row.actor,
      details: row.details,
      hash: row.hash,
    })
    .execute();
}
