export * from './types.ts';
export { createStore, migrateToLatest, tokenWriterReady, type CreateStoreOptions } from './create-store.ts';
export { parseStoreUrl, type StoreTarget } from './url.ts';
export { kyselyOf } from './kysely/store.ts';
export { engineOf, type Engine } from './kysely/dialect.ts';
export { migrations, type NamedMigration } from './migrations/index.ts';
export { DEFAULT_SIGNUP_POLICY } from './kysely/settings.ts';
export * from './audit/index.ts';
export { PostgresEventBus, splitForNotify, type PostgresEventBusOptions } from './postgres-event-bus.ts';
