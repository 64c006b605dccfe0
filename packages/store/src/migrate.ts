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
 * A failure about a schema other than ours, met by Kysely's migrator while
 * it finds its bookkeeping tables through an introspection of every schema
 * (pg_get_serial_sequence, has_schema_privilege by name): that fails when
 * another schema, or a table in it, is dropped while it runs (other
 * tenants, other test runs). PostgreSQL says invalid_schema_name (3F000)
 * naming the schema, or undefined_table (42P01) naming the relation with
 * its schema. Nothing was migrated then, so running it again is safe.
 */
export function isOtherSchemaDropped(error: unknown, schema: string | undefined): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return false;
  const ours = schema ?? 'public';
  if (code === '3F000') return !message.includes(`"${ours}"`);
  if (code === '42P01') {
    // Only a relation named with another schema: an unqualified one may be ours.
    const qualified = /^relation "([^".]+)\.[^"]+" does not exist/.exec(message);
    return qualified !== null && qualified[1] !== ours;
  }
  return false;
}
