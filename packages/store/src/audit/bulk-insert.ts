/**
 * Group-commit inserts as ONE statement with ONE parameter: the batch as a
 * JSON array of row arrays, unpacked by the database (json_each on SQLite,
 * json_array_elements on PostgreSQL). The SQL text never changes, so there
 * is no per-batch query building, no huge statement to prepare and no bound
 * parameter limit; measured in bench/audit.ts.
 */
import { sql, type Kysely } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { AuditRow } from './types.ts';

const COLUMNS = [
  'chain',
  'seq',
  'time',
  'type',
  'org_id',
  'user_id',
  'agent_id',
  'client_id',
  'client_name',
  'session_id',
  'tool',
  'params',
  'result',
  'error',
  'scopes',
  'ip',
  'user_agent',
  'actor',
  'details',
  'hash',
] as const;

const asArray = (r: AuditRow): unknown[] => [
  r.chain,
  r.seq,
  r.time,
  r.type,
  r.orgId,
  r.userId,
  r.agentId,
  r.clientId,
  r.clientName,
  r.sessionId,
  r.tool,
  r.params,
  r.result,
  r.error,
  r.scopes,
  r.ip,
  r.userAgent,
  r.actor,
  r.details,
  r.hash,
];

const sqliteInsert = sql.raw(
  `INSERT INTO audit_records (${COLUMNS.join(', ')}) SELECT ${COLUMNS.map((_, i) => (i === 1 ? `CAST(json_extract(value, '$[${i}]') AS INTEGER)` : `json_extract(value, '$[${i}]')`)).join(
    ', ',
  )} FROM json_each(`,
);

const postgresInsert = sql.raw(`INSERT INTO audit_records (${COLUMNS.join(', ')}) SELECT ${COLUMNS.map((_, i) => (i === 1 ? `(e->>${i})::bigint` : `e->>${i}`)).join(', ')} FROM json_array_elements(`);

/**
 * SQLite, when the caller holds the connection inside its own transaction:
 * one prepared single-row INSERT run per row. json_each + json_extract
 * re-parsed each row's JSON once per column (20 times a row), about half of
 * an append's time; a prepared statement binds the values as they are.
 */
export function sqliteRowInserter(raw: BetterSqlite3.Database): (rows: AuditRow[]) => void {
  let statement: BetterSqlite3.Statement | undefined;
  return (rows) => {
    statement ??= raw.prepare(`INSERT INTO audit_records (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    for (const row of rows) statement.run(asArray(row));
  };
}

export function bulkInsertStatement(engine: 'sqlite' | 'postgres') {
  const head = engine === 'sqlite' ? sqliteInsert : postgresInsert;
  const tail = engine === 'sqlite' ? sql.raw(')') : sql.raw('::json) AS e');
  return async (db: Kysely<any>, rows: AuditRow[]): Promise<void> => {
    await sql`${head}${JSON.stringify(rows.map(asArray))}${tail}`.execute(db);
  };
}
