/**
 * One admin command's lifetime: open the store, wire events to the audit
 * log, run, close everything (also on failure).
 */
import { systemClock, type Actor, type Clock, type EventBus } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { createLogger } from '../server/logger.ts';
import { createProcessEvents } from '../server/events.ts';
import { databaseUrlOf, openStore, type DatabaseOptions } from './database.ts';

export interface AdminSession {
  store: Store;
  events: EventBus;
  clock: Clock;
  actor: Actor;
}

/** Changes made from the terminal are attributed to the OS user running the command. */
const operator = (): Actor => ({ kind: 'operator', id: `cli:${process.env.USER ?? process.env.USERNAME ?? 'unknown'}` });

/** `mustExist` false: the command may create the database (apply on a first deployment). */
export async function withAdminSession<T>(options: DatabaseOptions, fn: (session: AdminSession) => Promise<T>, mustExist = true): Promise<T> {
  const url = databaseUrlOf(options);
  const store = await openStore(url, { mustExist });
  const logger = createLogger({ level: 'warn', destination: process.stderr });
  let wired: Awaited<ReturnType<typeof createProcessEvents>> | undefined;
  try {
    // With PostgreSQL, a revocation made here reaches every running Gatehouse over NOTIFY.
    // With SQLite, through the event outbox the running server polls (server/outbox.ts).
    wired = await createProcessEvents(store, systemClock, logger, { notifyUrl: /^postgres(ql)?:/.test(url) ? url : undefined, outbox: store.engine === 'sqlite' ? 'write' : undefined });
    return await fn({ store, events: wired.events, clock: systemClock, actor: operator() });
  } finally {
    await wired?.close();
    await store.close();
  }
}
