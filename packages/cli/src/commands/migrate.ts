/** `gatehouse migrate`: bring the database schema to the newest version. */
import type { Command } from 'commander';
import { migrateToLatest } from '@gatehouse-auth/store';
import { databaseUrlOf, openStore, type DatabaseOptions } from '../cli/database.ts';
import { printResult, type OutputOptions } from '../cli/output.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('create or upgrade the database schema')
    .option('--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)')
    .option('--json', 'print the migrations applied as JSON')
    .action(async (flags: DatabaseOptions & OutputOptions) => {
      const store = await openStore(databaseUrlOf(flags), { mustExist: false, migrate: false });
      try {
        const applied = await migrateToLatest(store);
        printResult(flags, applied.length === 0 ? 'database is up to date' : `applied ${applied.join(', ')}`, { applied });
      } finally {
        await store.close();
      }
    });
}
