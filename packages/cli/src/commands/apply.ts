/** `gatehouse apply -f FILE [--dry-run]`: reconcile the database with a config file. */
import type { Command } from 'commander';
import { apply } from '../config/apply.ts';
import { loadConfigFile } from '../config/load.ts';
import { formatChange } from '../config/plan.ts';
import { withAdminSession } from '../cli/session.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import type { OutputOptions } from '../cli/output.ts';

interface ApplyFlags extends DatabaseOptions, OutputOptions {
  file: string;
  dryRun?: boolean;
}

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('apply gatehouse.yaml to the database: print and make the changes (all in one transaction)')
    .requiredOption('-f, --file <path>', 'the config file')
    .option('--dry-run', 'print what would change; write nothing')
    .option('--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)')
    .option('--json', 'print the changes as JSON')
    .action(async (flags: ApplyFlags) => {
      // Validate first: an invalid file never opens (let alone changes) the database.
      const config = await loadConfigFile(flags.file);
      await withAdminSession(
        flags,
        async ({ store, events, clock, actor }) => {
          const result = await apply(store, config, { dryRun: flags.dryRun, events, clock, actor });
          if (flags.json) {
            process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
            return;
          }
          for (const change of result.changes) process.stdout.write(`${formatChange(change)}\n`);
          const n = result.changes.length;
          const summary = n === 0 ? 'no changes' : `${n} change${n === 1 ? '' : 's'}`;
          process.stdout.write(result.dryRun ? `dry run: ${summary}, nothing written\n` : n === 0 ? 'no changes: the database matches the file\n' : `${summary} applied\n`);
        },
        false,
      ); // apply may create the database (first deployment)
    });
}
