/**
 * What the access log learns during a request (its id, the client the
 * request turned out to be for) without the protocol code knowing about
 * logs: the scope is an AsyncLocalStorage entered around each request, and
 * the server's events (published inside the request, e.g. token.issued)
 * fill in the client id. Log lines written while handling the request
 * carry its id.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventBus } from '@gatehouse-auth/core';

export interface RequestScope {
  requestId: string;
  clientId?: string;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

/** Records the client id of the events a request publishes on the scope of that request. */
export function trackClientIds(events: EventBus): () => void {
  return events.subscribe((event) => {
    const scope = requestScope.getStore();
    if (scope && scope.clientId === undefined && 'clientId' in event && typeof event.clientId === 'string') scope.clientId = event.clientId;
  });
}
