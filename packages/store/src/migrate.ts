/** Runs the registry in src/migrations to the newest version (Kysely Migrator, in-code provider). */
import { Migrator, type Kysely } from 'kysely';
import { migrationProvider } from './migrations/index.ts';
import type { Engine } from './kysely/dialect.ts';

export interface MigrationLog {
  (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}

export async function runMigrations(db: Kysely<any>, engine: Engine, schema: string | undefined, log?: MigrationLog): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    // Kysely looks for its bookkeeping tables in every schema unless told which: pin it on PostgreSQL.
    ...(engine === 'postgres' ? { migrationTableSchema: schema ?? 'public' } : {}),
  });
  let outcome = await migrator.migrateToLatest();
  // Kysely's introspection reads every schema's tables; one dropped meanwhile by someone else fails it.
  for (let attempt = 1; attempt < MAX_ATTEMPTS && isOtherSchemaDropped(outcome.error, schema); attempt += 1) {
    outcome = await migrator.migrateToLatest();
  }
  const { error, results = [] } = outcome;
  for (const result of results) {
    log?.(result.status === 'Success' ? 'info' : 'error', `migration ${result.migrationName}: ${result.status}`);
  }
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${String(error)}`);
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

const MAX_ATTEMPTS = 5;

/**
 * PostgreSQL's invalid_schema_name (3F000) about a schema other than ours:
 * Kysely's migrator finds its bookkeeping tables through an introspection
 * of every schema (pg_get_serial_sequence, has_schema_privilege by name),
 * which fails when another schema is dropped while it runs (other tenants,
 * other test runs). Nothing was migrated then, so running it again is safe.
 */
export function isOtherSchemaDropped(error: unknown, schema: string | undefined): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== '3F000' || typeof message !== 'string') return false;
  return !message.includes(`"${schema ?? 'public'}"`);
}
