/**
 * The audit log service. `append` resolves only once its record is
 * committed (durable); concurrent appends are group-committed: while one
 * transaction is in flight the next batch gathers, and every promise of a
 * batch resolves after its COMMIT. All writes of this process go through
 * one queue, so each chain grows linearly here; across processes the store
 * serializes per chain (see AuditStore.append).
 *
 * Do not await an append inside `store.transaction(...)`: on SQLite the
 * audit write needs the one connection the open transaction holds (it
 * would wait forever), and on PostgreSQL the record would commit even if
 * the surrounding transaction rolls back. Publish events after COMMIT.
 */
import type { AuditCheckpointRow, AuditRow, AuditStore, CheckpointReason } from '@gatehouse-auth/store';
import { signCheckpoint, type AuditSigner } from './checkpoint.ts';
import { CheckpointSchedule } from './checkpoint-schedule.ts';
import { linkRows, prepareRow, type PreparedRow } from './prepare.ts';
import { recordFromRow, type AuditEntry, type AuditRecord } from './record.ts';
import { createRedactor, type RedactionConfig, type Redactor } from './redact.ts';
import { formatMicros, systemMicroClock, type MicroClock } from './time.ts';

export interface AuditLogOptions {
  store: AuditStore;
  /** Signs checkpoints; without it no checkpoints are written and pruning is refused. */
  signer?: AuditSigner;
  redaction?: RedactionConfig;
  now?: MicroClock;
  /** A periodic checkpoint per chain after this many records or this long (defaults 10,000 / 60 s). */
  checkpointEvery?: { records?: number; ms?: number };
  /** Most records committed in one transaction (default 5,000). */
  maxBatch?: number;
  /** Reports failures of background work (periodic checkpoints, listeners). */
  onError?: (error: unknown) => void;
}

export interface AppendedRef {
  chain: string;
  seq: number;
  hash: string;
  time: string;
}

type Pending = { row: PreparedRow; resolve: (ref: AppendedRef) => void; reject: (error: unknown) => void; queuedAt: number };

/** What operators watch (readiness, metrics): how far behind the writer is, and whether its last commit failed. */
export interface AuditBacklog {
  records: number;
  /** Milliseconds the oldest waiting record has waited (0 when none). */
  oldestMs: number;
  /** The last batch commit failed (and no later one has succeeded). */
  failing: boolean;
}
type Listener = (records: AuditRecord[]) => void;

export class AuditLog {
  readonly store: AuditStore;
  private readonly redact: Redactor;
  private readonly now: MicroClock;
  private readonly maxBatch: number;
  private readonly every: { records: number; ms: number };
  private readonly onError: (error: unknown) => void;
  private pending: Pending[] = [];
  private draining = false;
  private failing = false;
  /** Serializes transactions of this process: batches, checkpoints, prunes. */
  private writer: Promise<unknown> = Promise.resolve();
  private readonly schedule: CheckpointSchedule | undefined;
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: AuditLogOptions) {
    this.store = options.store;
    this.redact = createRedactor(options.redaction);
    this.now = options.now ?? systemMicroClock;
    this.maxBatch = options.maxBatch ?? 5000;
    this.every = { records: options.checkpointEvery?.records ?? 10_000, ms: options.checkpointEvery?.ms ?? 60_000 };
    this.onError = options.onError ?? ((error) => console.error('gatehouse audit:', error));
    if (options.signer !== undefined) {
      const schedule = new CheckpointSchedule(this.store, options.signer, this.every, () => formatMicros(this.now()));
      this.schedule = schedule;
      if (this.every.ms > 0) {
        this.timer = setInterval(() => void this.exclusive(() => schedule.sign('timer')).catch(this.onError), this.every.ms);
        this.timer.unref();
      }
    }
  }

  get signer(): AuditSigner | undefined {
    return this.options.signer;
  }

  /** Appends one record; resolves with its place in the chain once it is durable. */
  append(entry: AuditEntry): Promise<AppendedRef> {
    let row: PreparedRow;
    try {
      row = prepareRow(entry, this.redact, () => formatMicros(this.now()));
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject, queuedAt: Date.now() });
      if (!this.draining) {
        this.draining = true;
        void this.exclusive(() => this.drain());
      }
    });
  }

  /** Receives every committed record, in commit order (SIEM forwarding). */
  onAppended(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  backlog(): AuditBacklog {
    const oldest = this.pending[0];
    return { records: this.pending.length, oldestMs: oldest ? Date.now() - oldest.queuedAt : 0, failing: this.failing };
  }

  /** Waits for everything appended so far to be committed. */
  flush(): Promise<void> {
    return this.exclusive(async () => {});
  }

  /** Signs the current head of `chain` (on demand). */
  checkpoint(chain: string, reason: CheckpointReason = 'on_demand'): Promise<AuditCheckpointRow | undefined> {
    return this.exclusive(async () => {
      const signer = this.requireSigner();
      const head = await this.store.head(chain);
      if (head === undefined) return undefined;
      const checkpoint = signCheckpoint(signer, { chain, ...head }, formatMicros(this.now()), reason);
      await this.store.addCheckpoint(checkpoint);
      this.schedule?.signed(chain);
      return checkpoint;
    });
  }

  /**
   * Deletes the chain's records older than `before` (retention): writes a
   * signed checkpoint at the cut, deletes, and records the prune, in one
   * transaction. Verification then starts from that checkpoint.
   */
  prune(chain: string, before: string, actor?: AuditEntry['actor']): Promise<{ deleted: number; throughSeq: number | null }> {
    return this.exclusive(async () => {
      const signer = this.requireSigner();
      const throughSeq = await this.store.lastSeqBefore(chain, before);
      if (throughSeq === undefined) return { deleted: 0, throughSeq: null };
      const [cut] = await this.store.scan(chain, throughSeq - 1, 1);
      if (cut === undefined || cut.seq !== throughSeq) throw new Error(`audit prune: record ${throughSeq} of ${chain} not found`);
      const checkpoint = signCheckpoint(signer, cut, formatMicros(this.now()), 'prune');
      const notice = prepareRow(
        {
          type: 'audit.pruned',
          result: 'success',
          orgId: cut.orgId ?? (chain.startsWith('_') ? null : chain),
          actor: actor ?? { kind: 'system', id: 'retention' },
          details: { throughSeq, before },
        },
        this.redact,
        () => formatMicros(this.now()),
      );
      let linked: AuditRow[] = [];
      const deleted = await this.store.prune(checkpoint, (heads) => (linked = linkRows([notice], heads)));
      this.publish(linked);
      // The notice is the chain's new tail: sign it with the next periodic or closing checkpoint.
      this.schedule?.track(linked);
      return { deleted, throughSeq };
    });
  }

  /** Stops the periodic checkpoint timer after committing what is pending and signing every chain's tail. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flush();
    const schedule = this.schedule;
    if (schedule !== undefined) await this.exclusive(() => schedule.sign('all'));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writer.then(fn);
    this.writer = run.catch(() => {});
    return run;
  }

  private async drain(): Promise<void> {
    // Batches are acknowledged in commit order, each once it is durable. Where the store
    // separates the two (appendCommitted: a SQLite file's WAL fsync runs on the thread
    // pool), the next batch commits while the previous one's fsync is in flight.
    let acknowledged: Promise<void> = Promise.resolve();
    for (;;) {
      while (this.pending.length > 0) {
        // Let I/O and timers run between commits (better-sqlite3 answers synchronously, so
        // without this a steady stream of appends would starve the event loop), and let
        // appends made in this turn join the batch.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = this.pending.splice(0, this.maxBatch);
        const rows = batch.map((p) => p.row);
        const chains = [...new Set(rows.map((r) => r.chain))];
        let linked: AuditRow[] = [];
        const link = (heads: Parameters<typeof linkRows>[1]) => (linked = linkRows(rows, heads));
        let durable: Promise<void>;
        try {
          if (this.store.appendCommitted) durable = (await this.store.appendCommitted(chains, link)).durable;
          else {
            await this.store.append(chains, link);
            durable = Promise.resolve();
          }
        } catch (error) {
          this.failing = true;
          for (const p of batch) p.reject(error);
          continue;
        }
        const committed = linked;
        acknowledged = Promise.all([acknowledged, durable]).then(
          () => {
            this.failing = false;
            committed.forEach((row, i) => batch[i]!.resolve({ chain: row.chain, seq: row.seq, hash: row.hash, time: row.time }));
            this.publish(committed);
          },
          (error: unknown) => {
            this.failing = true;
            for (const p of batch) p.reject(error);
          },
        );
        if (this.schedule !== undefined) {
          this.schedule.track(committed);
          await this.schedule.sign('records').catch(this.onError);
        }
      }
      await acknowledged;
      // Appends that arrived while the last fsync ran are still ours to write.
      if (this.pending.length === 0) break;
    }
    this.draining = false;
  }

  private publish(rows: AuditRow[]): void {
    if (this.listeners.size === 0 || rows.length === 0) return;
    const records = rows.map(recordFromRow);
    for (const listener of this.listeners) {
      try {
        listener(records);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  private requireSigner(): AuditSigner {
    if (this.options.signer === undefined) throw new Error('audit: this operation needs a checkpoint signing key');
    return this.options.signer;
  }
}
