/**
 * EventBus over PostgreSQL LISTEN/NOTIFY, so every Gatehouse process behind
 * a load balancer hears every revocation (docs/architecture.md, Scale).
 *
 * - Local listeners are called inside `publish`, exactly as LocalEventBus
 *   does; other processes receive the event through NOTIFY. A process skips
 *   its own notifications (each bus has a random origin id).
 * - NOTIFY payloads are limited to 8000 bytes: an event whose `tokenHashes`
 *   list does not fit is split into several events with the same fields and
 *   a slice of the hashes each (every hash is announced exactly once).
 * - One connection LISTENs and sends; sends are queued and go out one
 *   statement at a time (a pg Client must not run two queries at once), all
 *   payloads queued meanwhile in that one statement.
 * - The database may go away (failover, pooler restart): `publish` never
 *   fails for it (the state change is committed; failing the publisher
 *   would misreport it). The connection reconnects with backoff and LISTENs
 *   again; what this process could not send is kept (up to MAX_OUTBOX
 *   payloads) and sent once it is back. Events other processes sent while
 *   this one was not listening are lost to NOTIFY, so after every
 *   reconnect the bus calls its resync listeners: whoever caches state that
 *   events invalidate drops it and reads the store again (EventBus.onResync).
 *   If queued payloads had to be dropped, the other processes are told to
 *   resync too.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { EventBus, EventListener, GatehouseEvent } from '@gatehouse-auth/core';
import { isConnectionFailure } from './unavailable.ts';

const MAX_PAYLOAD_BYTES = 7900;
const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Payloads kept while disconnected; beyond this the oldest are dropped and every process is told to resync. */
const MAX_OUTBOX = 10_000;
/** Payloads per NOTIFY statement (one transaction: one round trip, delivered together). */
const MAX_SEND = 500;
const CONNECT_TIMEOUT_MS = 5_000;
const BACKOFF_MS = { first: 100, max: 10_000 };

export interface PostgresEventBusOptions {
  /** NOTIFY channel; separate installations sharing a database use different channels. Default `gatehouse_events`. */
  channel?: string;
  now?: () => number;
  onListenerError?: (error: unknown) => void;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** A NOTIFY payload: one event, or a request that every process resync (`resync: true`). */
type Envelope = { origin: string; event: GatehouseEvent & { at: number } } | { origin: string; resync: true };

export class PostgresEventBus implements EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly resyncListeners = new Set<() => void>();
  private readonly origin = randomBytes(9).toString('base64url');
  private readonly channel: string;
  /** Connected and LISTENing; undefined while (re)connecting. */
  private client: pg.Client | undefined;
  private outbox: string[] = [];
  private sending: Promise<void> | undefined;
  /** Payloads this process could not send were dropped: tell the others to resync once connected. */
  private lostOutgoing = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly connectionString: string,
    private readonly opts: PostgresEventBusOptions,
  ) {
    this.channel = opts.channel ?? 'gatehouse_events';
    if (!CHANNEL_NAME.test(this.channel)) throw new Error(`invalid NOTIFY channel name: ${JSON.stringify(this.channel)}`);
  }

  /** Connects and starts listening; resolves once LISTEN is active (rejects if the first connection fails). */
  static async connect(connectionString: string, opts: PostgresEventBusOptions = {}): Promise<PostgresEventBus> {
    const bus = new PostgresEventBus(connectionString, opts);
    await bus.open();
    return bus;
  }

  /** Resolves once this process's notifications are sent, or kept for after a reconnect. */
  async publish(event: GatehouseEvent): Promise<void> {
    const stamped = { ...event, at: (this.opts.now ?? Date.now)() };
    await this.deliver(stamped);
    this.enqueue(splitForNotify(stamped, this.origin));
    await this.flush();
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  /** Whether the LISTEN connection is up (for readiness checks and tests). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    await this.flush().catch(() => {});
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
    if (this.outbox.length > 0) this.opts.log?.('warn', 'event bus closed with notifications unsent', { count: this.outbox.length });
  }

  private async open(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // Lets an operator (and the tests) find this connection in pg_stat_activity.
      application_name: `gatehouse:${this.channel}`.slice(0, 63),
    });
    client.on('notification', (message) => {
      if (message.channel !== this.channel || !message.payload) return;
      void this.receive(message.payload);
    });
    let dead = false;
    // Without an 'error' listener a dropped connection would end the process.
    client.on('error', (error) => {
      dead = true;
      this.opts.log?.('warn', 'event bus connection lost', { error: error.message });
      this.lost(client);
    });
    client.on('end', () => {
      dead = true;
      this.lost(client);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    // Dropped between LISTEN and here: `lost` ignored it then (it was not yet the current client).
    if (dead) this.lost(client);
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => {});
    if (!this.closed) this.reconnect(0);
  }

  private reconnect(attempt: number): void {
    // Jittered, so processes that lost the database together do not all come back in the same millisecond.
    const delay = Math.min(BACKOFF_MS.max, BACKOFF_MS.first * 2 ** attempt) * (0.5 + Math.random() / 2);
    this.timer = setTimeout(() => {
      if (this.closed) return;
      this.open().then(
        () => this.reconnected(attempt),
        (error: Error) => {
          this.opts.log?.('warn', 'event bus reconnect failed', { error: error.message, attempt });
          if (!this.closed) this.reconnect(attempt + 1);
        },
      );
    }, delay);
    this.timer.unref();
  }

  private reconnected(attempt: number): void {
    if (this.closed) return;
    this.opts.log?.('info', 'event bus reconnected', { attempts: attempt + 1, unsent: this.outbox.length });
    if (this.lostOutgoing) {
      this.lostOutgoing = false;
      this.outbox.push(JSON.stringify({ origin: this.origin, resync: true } satisfies Envelope));
    }
    void this.flush();
    this.resync();
  }

  private resync(): void {
    for (const listener of this.resyncListeners) {
      try {
        listener();
      } catch (error) {
        this.opts.onListenerError?.(error);
      }
    }
  }

  private enqueue(payloads: string[]): void {
    this.outbox.push(...payloads);
    if (this.outbox.length > MAX_OUTBOX) {
      const dropped = this.outbox.splice(0, this.outbox.length - MAX_OUTBOX).length;
      this.lostOutgoing = true;
      this.opts.log?.('error', 'event bus disconnected too long: notifications dropped, other processes will be told to resync', { dropped });
    }
  }

  /** Sends the outbox; callers arriving while a send is in flight share it (it keeps going until the outbox is empty). */
  private flush(): Promise<void> {
    if (this.sending) return this.sending;
    if (!this.client || this.outbox.length === 0) return Promise.resolve();
    this.sending = this.drain();
    return this.sending;
  }

  private async drain(): Promise<void> {
    try {
      while (this.client && this.outbox.length > 0) {
        const client = this.client;
        const batch = this.outbox.slice(0, MAX_SEND);
        try {
          await client.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [this.channel, batch]);
          this.outbox.splice(0, batch.length);
        } catch (error) {
          if (isConnectionFailure(error)) {
            // Kept: sent again once the connection is back (a duplicate is harmless, events are idempotent).
            this.opts.log?.('warn', 'event bus send failed: kept for after the reconnect', { error: (error as Error).message, unsent: this.outbox.length });
            return;
          }
          this.outbox.splice(0, batch.length);
          this.lostOutgoing = true;
          this.opts.log?.('error', 'event bus send failed: notifications dropped', { error: (error as Error).message, dropped: batch.length });
        }
      }
    } finally {
      this.sending = undefined;
    }
  }

  private async receive(payload: string): Promise<void> {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      this.opts.log?.('warn', 'ignored a malformed event notification');
      return;
    }
    if (envelope.origin === this.origin) return;
    if ('resync' in envelope) this.resync();
    else await this.deliver(envelope.event);
  }

  private async deliver(event: GatehouseEvent & { at: number }): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (error) {
        this.opts.onListenerError?.(error);
      }
    }
  }
}

/** Serialises an event, splitting a `tokenHashes` list across notifications when it exceeds the NOTIFY limit. */
export function splitForNotify(event: GatehouseEvent & { at: number }, origin: string): string[] {
  const whole = JSON.stringify({ origin, event } satisfies Envelope);
  if (Buffer.byteLength(whole) <= MAX_PAYLOAD_BYTES) return [whole];
  const hashes = 'tokenHashes' in event ? event.tokenHashes : undefined;
  if (!hashes || hashes.length <= 1) throw new Error(`event ${event.type} is too large for NOTIFY`);
  const half = Math.ceil(hashes.length / 2);
  return [
    ...splitForNotify({ ...event, tokenHashes: hashes.slice(0, half) } as GatehouseEvent & { at: number }, origin),
    ...splitForNotify({ ...event, tokenHashes: hashes.slice(half) } as GatehouseEvent & { at: number }, origin),
  ];
}
