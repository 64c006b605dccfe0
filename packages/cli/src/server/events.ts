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
import { LocalEventBus, type Clock, type EventBus, type EventListener, type GatehouseEvent } from '@gatehouse-auth/core';
import { parseStoreUrl, PostgresEventBus, type Store } from '@gatehouse-auth/store';
import { AuditLog, auditEvents, auditSignerFromEnv } from '@gatehouse-auth/audit';
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
  /**
   * SQLite's stand-in for NOTIFY (outbox.ts): `write` appends every event
   * published here to the event outbox (the CLI), `tail` publishes what
   * other processes appended there (the server).
   */
  outbox?: 'write' | 'tail';
}

/** Publishes to the audit-only bus first, then to the shared bus that in-process listeners subscribe to. */
class ProcessBus implements EventBus {
  constructor(private readonly recorded: EventBus, private readonly shared: EventBus) {}
  async publish(event: GatehouseEvent): Promise<void> {
    await this.recorded.publish(event);
    await this.shared.publish(event);
  }
  subscribe(listener: EventListener): () => void {
    return this.shared.subscribe(listener);
  }
}

export async function createProcessEvents(store: Store, clock: Clock, logger: Logger, options: ProcessEventsOptions = {}): Promise<ProcessEvents> {
  const onListenerError = (error: unknown) => logger.error({ err: error }, 'event listener failed');
  const target = options.events === undefined && options.notifyUrl !== undefined ? parseStoreUrl(options.notifyUrl) : undefined;
  const notify = target?.engine === 'postgres'
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

  const recorded = new LocalEventBus(() => clock.now(), onListenerError);
  const log = new AuditLog({ store: store.audit, signer: auditSignerFromEnv(), onError: (error) => logger.error({ err: error }, 'audit log failure') });
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
