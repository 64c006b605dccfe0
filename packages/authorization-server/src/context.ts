/** What every endpoint step receives. Protocol code reaches storage only through `store`. */
import type { Clock, EventBus } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import type { AuthorizationServerOptions } from './options.ts';

export interface ServerContext {
  store: Store;
  events: EventBus;
  clock: Clock;
  options: AuthorizationServerOptions;
  /** Logs without secrets: never pass a token, code, secret or password here. */
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** Hono environment: per-request variables set by middleware. */
export type AppEnv = { Variables: { requestId: string } };
