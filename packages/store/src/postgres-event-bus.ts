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
 * - The LISTEN connection reconnects with backoff; events published while it
 *   is down are not replayed (subscribers still see token state in the store,
 *   NOTIFY is the fast path, not the only one).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { EventBus, EventListener, GatehouseEvent } from '@gatehouse-auth/core';

const MAX_PAYLOAD_BYTES = 7900;
const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresEventBusOptions {
  /** NOTIFY channel; separate installations sharing a database use different channels. Default `gatehouse_events`. */
  channel?: string;
  now?: () => number;
  onListenerError?: (error: unknown) => void;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

interface Envelope {
  origin: string;
  event: GatehouseEvent & { at: number };
}

export class PostgresEventBus implements EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly origin = randomBytes(9).toString('base64url');
  private readonly channel: string;
  private client: pg.Client | undefined;
  private closed = false;
  private ready: Promise<void> | undefined;

  private constructor(private readonly connectionString: string, private readonly opts: PostgresEventBusOptions) {
    this.channel = opts.channel ?? 'gatehouse_events';
    if (!CHANNEL_NAME.test(this.channel)) throw new Error(`invalid NOTIFY channel name: ${JSON.stringify(this.channel)}`);
  }

  /** Connects and starts listening; resolves once LISTEN is active. */
  static async connect(connectionString: string, opts: PostgresEventBusOptions = {}): Promise<PostgresEventBus> {
    const bus = new PostgresEventBus(connectionString, opts);
    await bus.listen();
    return bus;
  }

  async publish(event: GatehouseEvent): Promise<void> {
    const stamped = { ...event, at: (this.opts.now ?? Date.now)() };
    await this.deliver(stamped);
    await this.ready?.catch(() => {});
    const client = this.client;
    if (!client) {
      // The state change is committed already; failing the publisher would misreport it.
      this.opts.log?.('warn', 'event bus disconnected: event not fanned out', { type: event.type });
      return;
    }
    for (const part of splitForNotify(stamped, this.origin)) {
      await client.query('SELECT pg_notify($1, $2)', [this.channel, part]);
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }

  private listen(attempt = 0): Promise<void> {
    this.ready = (async () => {
      const client = new pg.Client({ connectionString: this.connectionString });
      client.on('notification', (message) => {
        if (message.channel !== this.channel || !message.payload) return;
        void this.receive(message.payload);
      });
      client.on('error', (error) => this.opts.log?.('warn', 'event bus connection failed', { error: error.message }));
      client.on('end', () => {
        if (this.closed || this.client !== client) return;
        this.client = undefined;
        this.reconnect(attempt + 1);
      });
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      this.client = client;
    })();
    return this.ready;
  }

  private reconnect(attempt: number): void {
    const delay = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
    setTimeout(() => {
      if (this.closed) return;
      this.listen(attempt).catch((error: Error) => {
        this.opts.log?.('warn', 'event bus reconnect failed', { error: error.message, attempt });
        this.reconnect(attempt + 1);
      });
    }, delay).unref();
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
    await this.deliver(envelope.event);
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
