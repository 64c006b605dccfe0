/**
 * Storage contract of the audit log. Rows are written once and never
 * updated; the only deletion is `prune`, which runs through a guarded path
 * (see schema.ts) in the same transaction as the signed checkpoint at the cut
 * and the record announcing the prune.
 *
 * JSON-valued columns (`params`, `scopes`, `actor`, `details`) hold canonical
 * JSON text: the hash chain covers these exact bytes (packages/audit/src/canonical.ts).
 */
export interface AuditRow {
  /** One hash chain per organization; records without an org go to `_system`. */
  chain: string;
  /** 1, 2, 3 … per chain, no gaps. */
  seq: number;
  /** RFC 3339 UTC with microseconds: `2026-11-23T12:00:00.123456Z` (sorts as text). */
  time: string;
  type: string;
  orgId: string | null;
  userId: string | null;
  agentId: string | null;
  clientId: string | null;
  clientName: string | null;
  sessionId: string | null;
  tool: string | null;
  params: string | null;
  result: string;
  error: string | null;
  scopes: string;
  ip: string | null;
  userAgent: string | null;
  actor: string | null;
  details: string | null;
  /** SHA-256 (base64url) of the previous record's hash followed by this record's canonical form. */
  hash: string;
}

export interface AuditCanonicalRow {
  seq: number;
  hash: string;
  canonical: string;
}

export interface AuditChainHead {
  seq: number;
  hash: string;
}

export type CheckpointReason = 'periodic' | 'on_demand' | 'prune';

/** An Ed25519 signature over the canonical `{at, chain, hash, kid, seq}`. */
export interface AuditCheckpointRow {
  chain: string;
  seq: number;
  hash: string;
  at: string;
  kid: string;
  signature: string;
  reason: CheckpointReason;
}

export interface AuditRowFilter {
  chain: string;
  userId?: string;
  clientId?: string;
  tool?: string;
  result?: string;
  type?: string;
  /** Inclusive lower bound on `time` (RFC 3339, compared as text). */
  from?: string;
  /** Exclusive upper bound on `time`. */
  to?: string;
  /** Cursor: seq strictly after (asc) or before (desc) this one. */
  cursor?: number;
  order: 'asc' | 'desc';
  limit: number;
}

/** Turns pending entries into rows chained onto the heads read inside the transaction. */
export type AuditLinker = (heads: ReadonlyMap<string, AuditChainHead | undefined>) => AuditRow[];

export interface AuditStore {
  /**
   * Reads the head of each chain, asks `link` for the rows to add and
   * inserts them, in one transaction serialized per chain (BEGIN IMMEDIATE
   * on SQLite, an advisory lock per chain on PostgreSQL). Resolves after
   * COMMIT: on SQLite with `synchronous = FULL`, so an acknowledged record
   * survives a crash. A concurrent writer in another process that slipped
   * in is detected by the primary key (chain, seq) and the whole batch is
   * relinked and retried.
   */
  append(chains: string[], link: AuditLinker): Promise<void>;
  /**
   * As `append`, but resolves at COMMIT with `durable`, which settles once
   * the batch survives power loss (SQLite file: the WAL's fsync, off the
   * event loop). The caller may commit its next batch meanwhile and must
   * acknowledge this one only after `durable`. Stores without the
   * distinction leave it out (or resolve `durable` at once).
   */
  appendCommitted?(chains: string[], link: AuditLinker): Promise<{ durable: Promise<void> }>;
  head(chain: string): Promise<AuditChainHead | undefined>;
  /** Rows of `chain` with seq > afterSeq in seq order (verification, export). */
  scan(chain: string, afterSeq: number, limit: number): Promise<AuditRow[]>;
  /**
   * For verification: seq, stored hash and the canonical form built by the
   * database (canonical-sql.ts), in seq order after `afterSeq`.
   */
  scanCanonical(chain: string, afterSeq: number, limit: number): Promise<AuditCanonicalRow[]>;
  find(filter: AuditRowFilter): Promise<AuditRow[]>;
  chains(): Promise<string[]>;
  /** Highest seq whose time is before `time`. */
  lastSeqBefore(chain: string, time: string): Promise<number | undefined>;
  addCheckpoint(checkpoint: AuditCheckpointRow): Promise<void>;
  checkpoints(chain: string): Promise<AuditCheckpointRow[]>;
  /**
   * The only deletion: in one transaction stores `checkpoint` (the signed
   * cut), deletes the chain's rows with seq ≤ checkpoint.seq and appends
   * what `link` returns (the record announcing the prune). Returns how many
   * rows were deleted.
   */
  prune(checkpoint: AuditCheckpointRow, link: AuditLinker): Promise<number>;
}
