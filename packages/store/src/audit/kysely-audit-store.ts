/**
 * The audit store on Kysely, for SQLite and PostgreSQL. Appends are group
 * commits: the caller (packages/audit AuditLog) hands over a whole batch and
 * acknowledges its records only after this resolves.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { bulkInsertStatement, sqliteRowInserter } from './bulk-insert.ts';
import { sqliteHeadReader } from './sqlite-head.ts';
import { rawSqliteOf } from '../kysely/raw-sqlite.ts';
import { StoreUnavailableError } from '../unavailable.ts';
import { canonicalExpression } from './canonical-sql.ts';
import { AS_AUDIT_ROW, checkpointFromColumns, fromColumns, type AuditTables } from './rows.ts';
import type { AuditChainHead, AuditCheckpointRow, AuditLinker, AuditRow, AuditRowFilter, AuditStore } from './types.ts';

type Db = Kysely<AuditTables>;
type Engine = 'sqlite' | 'postgres';

const INSERT_CHUNK = 5000;
const MAX_ATTEMPTS = 8;

export interface KyselyAuditStoreOptions {
  /**
   * SQLite file: makes a commit made with synchronous=NORMAL durable off the
   * event loop (kysely/wal-sync.ts). Without it, audit commits use FULL and
   * the fsync blocks the thread that runs them.
   */
  syncWal?: () => Promise<void>;
}

export function createKyselyAuditStore(database: Kysely<any>, engine: Engine, options: KyselyAuditStoreOptions = {}): AuditStore {
  const db = database as Db;
  // SQLite: rows go in through a prepared statement on the connection the write transaction holds (bulk-insert.ts).
  const raw = engine === 'sqlite' ? rawSqliteOf(database) : undefined;
  const write = engine === 'sqlite' ? sqliteWriteTransaction(db, options.syncWal) : postgresWriteTransaction(db);
  const bulkInsert = bulkInsertStatement(engine);
  const insertRows = raw ? sqliteRowInserter(raw) : undefined;
  const headOf = raw ? sqliteHeadReader(raw) : undefined;
  const canonical = canonicalExpression(engine);

  /** Inside a write transaction only (SQLite: on the connection it holds). */
  async function readHeads(trx: Transaction<AuditTables> | Db, chains: string[]): Promise<Map<string, AuditChainHead | undefined>> {
    const heads = new Map<string, AuditChainHead | undefined>();
    for (const chain of chains) heads.set(chain, headOf ? headOf(chain) : await readHead(trx, chain));
    return heads;
  }

  async function insertLinked(trx: Transaction<AuditTables> | Db, chains: string[], link: AuditLinker, known?: Map<string, AuditChainHead | undefined>): Promise<void> {
    const heads = known ?? (await readHeads(trx, chains));
    const rows = link(heads);
    // SQLite: every caller runs inside sqliteWriteTransaction, on the connection it holds.
    if (insertRows) return insertRows(rows);
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) await bulkInsert(trx, rows.slice(i, i + INSERT_CHUNK));
  }

  return {
    async append(chains, link) {
      await withRetry(() => write(chains, (trx) => insertLinked(trx, chains, link)));
      await options.syncWal?.();
    },
    async appendCommitted(chains, link) {
      await withRetry(() => write(chains, (trx) => insertLinked(trx, chains, link)));
      return { durable: options.syncWal ? options.syncWal() : Promise.resolve() };
    },
    head: (chain) => readHead(db, chain),
    async scan(chain, afterSeq, limit) {
      // Aliased straight to AuditRow: verification reads every row, so no second object per row.
      const rows = await db.selectFrom('audit_records').select(AS_AUDIT_ROW).where('chain', '=', chain).where('seq', '>', afterSeq).orderBy('seq', 'asc').limit(limit).execute();
      if (engine === 'postgres') for (const row of rows) row.seq = Number(row.seq);
      return rows as AuditRow[];
    },
    async scanCanonical(chain, afterSeq, limit) {
      const rows = await db
        .selectFrom('audit_records')
        .select(['seq', 'hash', canonical.as('canonical')])
        .where('chain', '=', chain)
        .where('seq', '>', afterSeq)
        .orderBy('seq', 'asc')
        .limit(limit)
        .execute();
      if (engine === 'postgres') for (const row of rows) row.seq = Number(row.seq);
      return rows as { seq: number; hash: string; canonical: string }[];
    },
    async find(filter: AuditRowFilter) {
      let query = db.selectFrom('audit_records').selectAll().where('chain', '=', filter.chain);
      if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
      if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
      if (filter.tool !== undefined) query = query.where('tool', '=', filter.tool);
      if (filter.result !== undefined) query = query.where('result', '=', filter.result);
      if (filter.type !== undefined) query = query.where('type', '=', filter.type);
      if (filter.from !== undefined) query = query.where('time', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('time', '<', filter.to);
      if (filter.cursor !== undefined) query = query.where('seq', filter.order === 'asc' ? '>' : '<', filter.cursor);
      const rows = await query.orderBy('seq', filter.order).limit(filter.limit).execute();
      return rows.map(fromColumns);
    },
    async chains() {
      const rows = await db.selectFrom('audit_records').select('chain').distinct().orderBy('chain').execute();
      const fromCheckpoints = await db.selectFrom('audit_checkpoints').select('chain').distinct().execute();
      return [...new Set([...rows, ...fromCheckpoints].map((row) => row.chain))].sort();
    },
    async lastSeqBefore(chain, time) {
      const row = await db.selectFrom('audit_records').select('seq').where('chain', '=', chain).where('time', '<', time).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return row === undefined ? undefined : Number(row.seq);
    },
    async addCheckpoint(checkpoint) {
      await db
        .insertInto('audit_checkpoints')
        .values(checkpoint)
        .onConflict((oc) => oc.columns(['chain', 'seq', 'kid']).doNothing())
        .execute();
    },
    async checkpoints(chain) {
      const rows = await db.selectFrom('audit_checkpoints').selectAll().where('chain', '=', chain).orderBy('seq', 'asc').execute();
      return rows.map(checkpointFromColumns);
    },
    async prune(checkpoint: AuditCheckpointRow, link) {
      let deleted = 0;
      await withRetry(() =>
        write([checkpoint.chain], async (trx) => {
          await trx
            .insertInto('audit_checkpoints')
            .values(checkpoint)
            .onConflict((oc) => oc.columns(['chain', 'seq', 'kid']).doNothing())
            .execute();
          // Read the head before deleting: a prune may remove every record, and the
          // prune record must still continue the chain rather than restart it at seq 1.
          const heads = await readHeads(trx, [checkpoint.chain]);
          // The guarded path the append-only triggers let through (schema.ts).
          if (engine === 'postgres') await sql`SELECT set_config('gatehouse.audit_prune', 'on', true)`.execute(trx);
          else await sql`UPDATE audit_prune_guard SET active = 1 WHERE id = 1`.execute(trx);
          const result = await trx.deleteFrom('audit_records').where('chain', '=', checkpoint.chain).where('seq', '<=', checkpoint.seq).executeTakeFirst();
          deleted = Number(result.numDeletedRows);
          if (engine === 'postgres') await sql`SELECT set_config('gatehouse.audit_prune', 'off', true)`.execute(trx);
          else await sql`UPDATE audit_prune_guard SET active = 0 WHERE id = 1`.execute(trx);
          await insertLinked(trx, [checkpoint.chain], link, heads);
        }),
      );
      await options.syncWal?.();
      return deleted;
    },
  };
}

async function readHead(db: Db | Transaction<AuditTables>, chain: string): Promise<AuditChainHead | undefined> {
  const row = await db.selectFrom('audit_records').select(['seq', 'hash']).where('chain', '=', chain).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row === undefined ? undefined : { seq: Number(row.seq), hash: row.hash };
}

type WriteTransaction = (chains: string[], body: (trx: Db) => Promise<void>) => Promise<void>;

/**
 * SQLite: BEGIN IMMEDIATE takes the write lock before the head is read, so
 * another process cannot interleave. Nothing is acknowledged before the
 * records survive power loss, not only a killed process: with `syncWal`
 * the COMMIT runs under synchronous = NORMAL (frames written, not synced)
 * and `append` / `appendCommitted().durable` resolve only after the WAL's
 * fsync, which runs on the thread pool while the event loop serves other
 * requests and the next batch commits (a token response waits for
 * its audit record, and an fsync on the event loop stalled every request
 * in flight); without it, synchronous = FULL makes COMMIT itself wait for
 * the fsync. Kysely's SQLite driver holds its single connection for us,
 * so the setting cannot leak into another caller's statements; the
 * previous value is restored.
 */
function sqliteWriteTransaction(db: Db, syncWal: (() => Promise<void>) | undefined): WriteTransaction {
  const wanted = syncWal ? 1 : 2;
  return async (_chains, body) => {
    await db.connection().execute(async (conn) => {
      const before = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(conn);
      const previous = before.rows[0]?.synchronous ?? 2;
      if (previous !== wanted) await sql.raw(`PRAGMA synchronous = ${wanted}`).execute(conn);
      await sql`BEGIN IMMEDIATE`.execute(conn);
      try {
        await body(conn);
        await sql`COMMIT`.execute(conn);
      } catch (error) {
        await sql`ROLLBACK`.execute(conn).catch(() => {});
        throw error;
      } finally {
        if (previous !== wanted) await sql.raw(`PRAGMA synchronous = ${Number(previous)}`).execute(conn);
      }
    });
    // The caller syncs the WAL after the connection is released: other statements run while the disk syncs.
  };
}

/** PostgreSQL: one transaction-scoped advisory lock per chain, taken in sorted order (no deadlocks). */
function postgresWriteTransaction(db: Db): WriteTransaction {
  return (chains, body) =>
    db.transaction().execute(async (trx) => {
      for (const chain of [...chains].sort()) {
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`gatehouse.audit:${chain}`}, 0))`.execute(trx);
      }
      await body(trx);
    });
}

function isRetryable(error: unknown): boolean {
  // A lock wait that ran out arrives as StoreUnavailableError with the SQLITE_BUSY error as its cause.
  const failure = error as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = failure?.code ?? failure?.cause?.code;
  return code === '23505' || code === '40001' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_BUSY';
}

/**
 * A lost connection (failover, pooler restart) is retried for this long, so
 * a blip does not lose a record. The rows are linked again on each attempt,
 * so a retried batch continues the chain; if a COMMIT succeeded but its
 * answer was lost, the retry records the batch a second time (duplicates,
 * not a gap: docs/storage.md).
 */
const UNAVAILABLE_RETRY_MS = 5_000;

async function withRetry(attempt: () => Promise<void>): Promise<void> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n < MAX_ATTEMPTS && isRetryable(error)) {
        await new Promise((resolve) => setTimeout(resolve, n * 5));
        continue;
      }
      if (StoreUnavailableError.is(error) && Date.now() - started < UNAVAILABLE_RETRY_MS) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** n)));
        continue;
      }
      throw error;
    }
  }
}
