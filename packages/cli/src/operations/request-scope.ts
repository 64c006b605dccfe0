/**
 * What the access log learns during a request the app serves (its id, the
 * client the request turned out to be for) without the protocol code
 * knowing about logs: the scope is an AsyncLocalStorage entered around the
 * request, and the server's events (published inside the request, e.g.
 * token.issued) fill in the client id. Log lines written while handling
 * the request carry its id.
 *
 * On Node 20 an AsyncLocalStorage works through async hooks that, once
 * enabled, run for every promise in the process: about 20 µs of CPU per
 * introspection (npm run bench as, ~15 % of it). So the scope is used only
 * by requests the app serves (the node-level route for /token and
 * /introspect passes the request id and client id explicitly:
 * server/oauth-listener.ts), and it is disabled again whenever no such
 * request is in flight, so the hooks run only while one is.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventBus } from '@gatehouse-auth/core';

export interface RequestScope {
  requestId: string;
  clientId?: string;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

let scopedInFlight = 0;

/** Runs `handle` in `scope`; the storage (and Node's async hooks with it) is disabled when the last such run ends. */
export async function runInRequestScope<T>(scope: RequestScope, handle: () => Promise<T>): Promise<T> {
  scopedInFlight += 1;
  try {
    return await requestScope.run(scope, handle);
  } finally {
    scopedInFlight -= 1;
    // Nothing of a request runs after its handler settled but what its response streams; a line that
    // writes then loses the request id, a small price for hooks that cost every promise while enabled.
    if (scopedInFlight === 0) requestScope.disable();
  }
}

/** Records the client id of the events a request publishes on the scope of that request. */
export function trackClientIds(events: EventBus): () => void {
  return events.subscribe((event) => {
    const scope = requestScope.getStore();
    if (scope && scope.clientId === undefined && 'clientId' in event && typeof event.clientId === 'string') scope.clientId = event.clientId;
  });
}
