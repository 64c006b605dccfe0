/**
 * Admin changes made by the CLI against a SQLite database reach the
 * running server (and through its revocation stream every resource
 * server) within a poll, although the two processes share only the file.
 *
 * - The CLI appends every event it publishes to the `event_outbox` table
 *   (migration 0007) right after the change it reports is committed, and
 *   before the command returns.
 * - The server polls every `intervalMs` (250 ms). SQLite's
 *   `PRAGMA data_version` tells it whether any other connection has
 *   committed since the last poll, so an idle server reads no table.
 *   New rows are published on the server's shared bus: its caches drop
 *   the tokens and the revocation stream forwards the event. They are not
 *   audited again; the CLI recorded them already.
 *
 * PostgreSQL uses LISTEN/NOTIFY (events.ts) instead.
 */
import type { Clock, EventBus, GatehouseEvent } from '@gatehouse-auth/core';
import { appendOutbox, dataVersion, outboxHead, readOutbox, type Store } from '@gatehouse-auth/store';
import type { Logger } from 'pino';

/** Subscribes `bus` so that every event published on it is appended to the outbox before publish resolves. */
export function writeToOutbox(bus: EventBus, store: Store, clock: Clock): () => void {
  return bus.subscribe(async (event) => {
    const { at: _at, ...rest } = event;
    await appendOutbox(store, rest, clock.now());
  });
}

export interface OutboxTail {
  /** Stops polling after the poll under way (if any) has published what it read. */
  stop(): Promise<void>;
  /** One poll now (tests, and shutdown's last look). */
  poll(): Promise<void>;
}

export async function tailOutbox(store: Store, bus: EventBus, logger: Logger, intervalMs = 250): Promise<OutboxTail> {
  let last = await outboxHead(store);
  let version = await dataVersion(store);
  let running: Promise<void> = Promise.resolve();
  let failing = false;
  let stopped = false;

  const pollOnce = async (): Promise<void> => {
    const now = await dataVersion(store);
    if (now !== undefined && now === version) return;
    version = now;
    for (;;) {
      const entries = await readOutbox(store, last);
      for (const entry of entries) {
        last = entry.id;
        await bus.publish(entry.event as GatehouseEvent);
      }
      if (entries.length < 500) return;
    }
  };
  const poll = (): Promise<void> => {
    running = running.then(pollOnce).then(
      () => {
        if (failing) logger.info('event outbox readable again');
        failing = false;
      },
      (error: unknown) => {
        // Logged once per outage, not every 250 ms; the data_version is re-read next time.
        if (!failing) logger.error({ err: error }, 'event outbox poll failed');
        failing = true;
        version = undefined;
      },
    );
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void poll();
  }, intervalMs);
  timer.unref();
  return {
    poll,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
