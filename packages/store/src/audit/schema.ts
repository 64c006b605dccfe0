/**
 * DDL of the audit log (migration 0002_audit). Append-only is enforced by
 * the database itself, not only by the absence of an update path in code:
 *
 * - PostgreSQL: a trigger refuses UPDATE, DELETE and TRUNCATE on
 *   audit_records and audit_checkpoints. Pruning is the one exception: a
 *   DELETE passes only inside a transaction that has set the
 *   transaction-local setting `gatehouse.audit_prune = on` (see prune in
 *   kysely-audit-store.ts). Hardening for production (docs/audit.md): run
 *   the app as a role without UPDATE/DELETE/TRUNCATE on these tables.
 * - SQLite: the same triggers; the prune guard is a one-row table flipped
 *   inside the prune transaction.
 */
import { sql, type Kysely } from 'kysely';

type AnyDb = Kysely<any>;

const columns = (seqType: string) =>
  sql.raw(`
  chain TEXT NOT NULL,
  seq ${seqType} NOT NULL,
  time TEXT NOT NULL,
  type TEXT NOT NULL,
  org_id TEXT,
  user_id TEXT,
  agent_id TEXT,
  client_id TEXT,
  client_name TEXT,
  session_id TEXT,
  tool TEXT,
  params TEXT,
  result TEXT NOT NULL,
  error TEXT,
  scopes TEXT NOT NULL,
  ip TEXT,
  user_agent TEXT,
  actor TEXT,
  details TEXT,
  hash TEXT NOT NULL,
  PRIMARY KEY (chain, seq)`);

const checkpointColumns = (seqType: string) =>
  sql.raw(`
  chain TEXT NOT NULL,
  seq ${seqType} NOT NULL,
  hash TEXT NOT NULL,
  at TEXT NOT NULL,
  kid TEXT NOT NULL,
  signature TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (chain, seq, kid)`);

// The admin query filters within one chain and pages by seq.
const indexes = [
  'CREATE INDEX IF NOT EXISTS audit_records_user ON audit_records (chain, user_id, seq)',
  'CREATE INDEX IF NOT EXISTS audit_records_client ON audit_records (chain, client_id, seq)',
  'CREATE INDEX IF NOT EXISTS audit_records_tool ON audit_records (chain, tool, seq)',
  'CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (chain, time)',
];

export async function createAuditSchema(db: AnyDb, engine: 'sqlite' | 'postgres'): Promise<void> {
  if (engine === 'postgres') return createPostgres(db);
  return createSqlite(db);
}

async function createSqlite(db: AnyDb): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS audit_records (${columns('INTEGER')}) WITHOUT ROWID`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS audit_checkpoints (${checkpointColumns('INTEGER')}) WITHOUT ROWID`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS audit_prune_guard (id INTEGER PRIMARY KEY CHECK (id = 1), active INTEGER NOT NULL)`.execute(db);
  await sql`INSERT OR IGNORE INTO audit_prune_guard (id, active) VALUES (1, 0)`.execute(db);
  for (const statement of indexes) await sql.raw(statement).execute(db);
  await sql`CREATE TRIGGER IF NOT EXISTS audit_records_no_update BEFORE UPDATE ON audit_records
    BEGIN SELECT RAISE(ABORT, 'gatehouse: audit records are append-only'); END`.execute(db);
  await sql`CREATE TRIGGER IF NOT EXISTS audit_records_no_delete BEFORE DELETE ON audit_records
    WHEN (SELECT active FROM audit_prune_guard WHERE id = 1) IS NOT 1
    BEGIN SELECT RAISE(ABORT, 'gatehouse: audit records are append-only (pruning is the only deletion)'); END`.execute(db);
  await sql`CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'gatehouse: audit checkpoints are append-only'); END`.execute(db);
  await sql`CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
    BEGIN SELECT RAISE(ABORT, 'gatehouse: audit checkpoints are append-only'); END`.execute(db);
}

async function createPostgres(db: AnyDb): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS audit_records (${columns('BIGINT')})`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS audit_checkpoints (${checkpointColumns('BIGINT')})`.execute(db);
  for (const statement of indexes) await sql.raw(statement).execute(db);
  await sql`CREATE OR REPLACE FUNCTION gatehouse_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_records'
         AND current_setting('gatehouse.audit_prune', true) = 'on' THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'gatehouse: % on % refused: the audit log is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  for (const table of ['audit_records', 'audit_checkpoints']) {
    await sql
      .raw(`CREATE OR REPLACE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION gatehouse_audit_append_only()`)
      .execute(db);
    await sql
      .raw(`CREATE OR REPLACE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_audit_append_only()`)
      .execute(db);
  }
}
