/**
 * An in-process authorization server for the clients and discovery tests:
 * the real app on a fresh in-memory SQLite store, a frozen clock and an
 * event bus whose events the test can read.
 */
import { LocalEventBus, ManualClock, sha256, type Client, type GatehouseEvent } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { clientRecord, createTestStore } from '@gatehouse-auth/store/testing';
import type { Hono } from 'hono';
import { createAuthorizationServerApp, resolveOptions, type AppEnv, type PartialOptions, type ServerContext } from '../../src/index.ts';

export interface Harness {
  app: Hono<AppEnv>;
  ctx: ServerContext;
  store: Store;
  clock: ManualClock;
  events: GatehouseEvent[];
  logs: string[];
  close(): Promise<void>;
}

/** `engine: 'postgres'` runs on an isolated PostgreSQL schema (dropped by close). */
export async function startHarness(options: Partial<PartialOptions> = {}, engine: 'sqlite' | 'postgres' = 'sqlite'): Promise<Harness> {
  const isolated = engine === 'postgres' ? await createTestStore('postgres') : undefined;
  const store = isolated?.store ?? (await createStore('sqlite::memory:'));
  const clock = new ManualClock();
  const bus = new LocalEventBus(() => clock.now());
  const events: GatehouseEvent[] = [];
  bus.subscribe((event) => {
    events.push(event);
  });
  const logs: string[] = [];
  const ctx: ServerContext = {
    store,
    events: bus,
    clock,
    options: resolveOptions({ issuer: 'https://as.example', ...options } as PartialOptions),
    log: (level, message, fields) => logs.push(`${level} ${message} ${fields ? JSON.stringify(fields) : ''}`),
  };
  const app = createAuthorizationServerApp(ctx);
  return { app, ctx, store, clock, events, logs, close: () => (isolated ? isolated.cleanup() : store.close()) };
}

/** A registered client as config would create it; `secret` makes it confidential. */
export function testClient(clock: ManualClock, overrides: Partial<Client> & { id: string }, secret?: string): Client {
  const now = clock.now();
  return clientRecord({
    name: 'Test client',
    redirectUris: ['https://app.example/cb'],
    tokenEndpointAuthMethod: secret === undefined ? 'none' : 'client_secret_basic',
    secretHash: secret === undefined ? null : sha256(secret),
    createdAt: now,
    updatedAt: now,
    ...overrides,
  });
}
