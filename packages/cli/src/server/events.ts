/**
 * The event bus a Gatehouse process publishes on.
 *
 * - The audit log records every event this process publishes (admin
 *   changes, token events, logins) before the publisher goes on.
 * - With PostgreSQL, events also fan out to every other Gatehouse process
 *   through LISTEN/NOTIFY, so a revocation made by `gatehouse tokens
 *   revoke` or by another replica reaches this process's revocation stream
 *   at once (docs/architecture.md, Scale).
 * - Events heard from other processes go to in-process listeners but not
 *   to the audit log: their publisher recorded them already.
 */
import { LocalEventBus, StoreUnavailableError, type Clock, type EventBus, type EventListener, type GatehouseEvent } from '@gatehouse-auth/core';
import { parseStoreUrl, PostgresEventBus, type Store } from '@gatehouse-auth/store';
import { AuditLog, auditEvents, auditSignerFromEnv, type AuditSigner } from '@gatehouse-auth/audit';
import type { Logger } from 'pino';
import { tailOutbox, writeToOutbox } from './outbox.ts';

export interface ProcessEvents {
  events: EventBus;
  /** The process's audit log (undefined when auditing is off): resource servers run in-process record their decisions here. */
  audit: AuditLog | undefined;
  /** Flushes the audit log and stops listening. */
  close(): Promise<void>;
}

export interface ProcessEventsOptions {
  /** A bus supplied by the caller (tests); used as the shared bus. */
  events?: EventBus;
  /** Record events in the audit log. Default true. */
  audit?: boolean;
  /** A postgres:// URL: fan events out to other processes over LISTEN/NOTIFY. */
  notifyUrl?: string;
  /** Checkpoint signer; default the key in GATEHOUSE_AUDIT_KEY_FILE (none: no checkpoints). */
  auditSigner?: AuditSigner;
  checkpointEvery?: { records?: number; ms?: number };
  /**
   * SQLite's stand-in for NOTIFY (outbox.ts): `write` appends every event
   * published here to the event outbox (the CLI), `tail` publishes what
   * other processes appended there (the server).
   */
  outbox?: 'write' | 'tail';
}

/**
 * Publishes to the audit-only bus first, then to the shared bus that
 * in-process listeners subscribe to. When the audit record could not be
 * written because the database is unreachable (after the audit store's own
 * retries), the event still fans out (the change is committed; caches must
 * hear a revocation), then the publisher gets the error: the request
 * answers 503 instead of handing out a result nobody audited, and the
 * failure is logged with the event's type (it is never dropped silently).
 */
class ProcessBus implements EventBus {
  constructor(
    private readonly recorded: EventBus,
    private readonly shared: EventBus,
  ) {}
  async publish(event: GatehouseEvent): Promise<void> {
    let unrecorded: unknown;
    try {
      await this.recorded.publish(event);
    } catch (error) {
      unrecorded = error;
    }
    await this.shared.publish(event);
    if (unrecorded !== undefined) throw unrecorded;
  }
  subscribe(listener: EventListener): () => void {
    return this.shared.subscribe(listener);
  }
  onResync(listener: () => void): () => void {
    return this.shared.onResync?.(listener) ?? (() => {});
  }
}

export async function createProcessEvents(store: Store, clock: Clock, logger: Logger, options: ProcessEventsOptions = {}): Promise<ProcessEvents> {
  const onListenerError = (error: unknown) => logger.error({ err: error }, 'event listener failed');
  const target = options.events === undefined && options.notifyUrl !== undefined ? parseStoreUrl(options.notifyUrl) : undefined;
  const notify =
    target?.engine === 'postgres'
      ? await PostgresEventBus.connect(target.connectionString, {
          // Installations sharing a database in separate schemas must not hear each other.
          channel: target.schema === undefined ? undefined : `gatehouse_events_${target.schema.toLowerCase()}`.slice(0, 63),
          now: () => clock.now(),
          onListenerError,
          log: (level, message, fields) => logger[level](fields ?? {}, message),
        })
      : undefined;
  const shared = options.events ?? notify ?? new LocalEventBus(() => clock.now(), onListenerError);
  const unwrite = options.outbox === 'write' ? writeToOutbox(shared, store, clock) : undefined;
  const tail = options.outbox === 'tail' ? await tailOutbox(store, shared, logger) : undefined;
  const closeChannels = async () => {
    unwrite?.();
    await tail?.stop();
    await notify?.close();
  };
  if (options.audit === false) return { events: shared, audit: undefined, close: closeChannels };

  // Audit failures from an unreachable database reach the publisher (ProcessBus); others are logged, as before.
  const recorded = new LocalEventBus(
    () => clock.now(),
    (error) => {
      if (StoreUnavailableError.is(error)) throw error;
      onListenerError(error);
    },
  );
  const log = new AuditLog({
    store: store.audit,
    signer: options.auditSigner ?? auditSignerFromEnv(),
    ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
    onError: (error) => logger.error({ err: error }, 'audit log failure'),
  });
  auditEvents(recorded, log, {
    clientName: async (id) => (await store.clients.get(id))?.name,
    orgOfGrant: async (id) => (await store.grants.get(id))?.orgId,
    onError: (error, event) => logger.error({ err: error, event: event.type }, 'event not recorded in the audit log'),
  });
  return {
    events: new ProcessBus(recorded, shared),
    audit: log,
    async close() {
      await log.close();
      await closeChannels();
    },
  };
}
