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
  const { error, results = [] } = await migrator.migrateToLatest();
  for (const result of results) {
    log?.(result.status === 'Success' ? 'info' : 'error', `migration ${result.migrationName}: ${result.status}`);
  }
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${String(error)}`);
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
