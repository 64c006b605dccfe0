/**
 * Issue 10: an audit record that cannot be written because the database is
 * unreachable is not dropped silently. The event still reaches in-process
 * listeners (caches must hear a revocation that is committed), and the
 * publisher gets StoreUnavailableError, so the request answers 503 instead
 * of returning a result nobody audited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalEventBus, StoreUnavailableError, systemClock, type GatehouseEvent } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { createLogger } from '../../src/server/logger.ts';
import { createProcessEvents } from '../../src/server/events.ts';

let store: Store;
beforeEach(async () => {
  store = await createStore('sqlite::memory:');
});
afterEach(() => store.close());

/** The audit store's writes fail as an unreachable database fails them (both write paths: append, and appendCommitted where the store has it). */
function failAppends(target: Store, times = Number.POSITIVE_INFINITY): void {
  const { append, appendCommitted } = target.audit;
  let left = times;
  const fail = (): never => {
    left -= 1;
    if (left <= 0) Object.assign(target.audit, { append, appendCommitted });
    throw new StoreUnavailableError(new Error('Connection terminated unexpectedly'));
  };
  target.audit.append = async () => fail();
  if (appendCommitted) target.audit.appendCommitted = async () => fail();
}

const revocation: GatehouseEvent = { type: 'token.revoked', tokenHashes: ['aGFzaA'], reason: 'revoked_by_admin' };

describe('issue 10: audit log when the database is unreachable', () => {
  it('fails the publisher with StoreUnavailableError after the event has reached in-process listeners, and logs the unrecorded event', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'error', destination: { write: (line: string) => void lines.push(line) } as unknown as NodeJS.WritableStream });
    const shared = new LocalEventBus();
    const heard: string[] = [];
    shared.subscribe((event) => void heard.push(event.type));
    const wired = await createProcessEvents(store, systemClock, logger, { events: shared });
    failAppends(store);
    const outcome = await wired.events.publish(revocation).then(
      () => 'published',
      (error: unknown) => error,
    );
    expect(StoreUnavailableError.is(outcome)).toBe(true);
    expect(heard).toEqual(['token.revoked']);
    expect(lines.join('')).toMatch(/event not recorded in the audit log/);
    expect(lines.join('')).toMatch(/token\.revoked/);
    await wired.close();
  });

  it('records the next event normally once the database answers again', async () => {
    const wired = await createProcessEvents(store, systemClock, createLogger({ level: 'silent' }), { events: new LocalEventBus() });
    failAppends(store, 1);
    await expect(wired.events.publish(revocation)).rejects.toThrow(/database unavailable/);
    await wired.events.publish({ ...revocation, tokenHashes: ['c2Vjb25k'] });
    await wired.audit!.flush();
    const records = (await Promise.all((await store.audit.chains()).map((chain) => store.audit.find({ chain, order: 'asc', limit: 10 })))).flat();
    expect(records.map((r) => r.type)).toEqual(['token.revoked']);
    await wired.close();
  });
});
