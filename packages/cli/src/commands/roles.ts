/** `gatehouse roles list` (roles are defined in gatehouse.yaml). */
import type { Command } from 'commander';
import { withAdminSession } from '../cli/session.ts';
import { printRows, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';

export function registerRoles(program: Command): void {
  const roles = program.command('roles').description('roles (defined in gatehouse.yaml, applied with "gatehouse apply")');
  roles
    .command('list')
    .description('list roles with the scopes each may grant')
    .option('--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)')
    .option('--json', 'print JSON')
    .action((flags: DatabaseOptions & OutputOptions) =>
      withAdminSession(flags, async ({ store }) => {
        const scopes = await store.scopes.list();
        const rows = (await store.roles.list()).map((role) => ({
          ...role,
          // Org scopes with no allowed_roles are grantable by every role.
          scopes: scopes
            .filter((s) => s.kind === 'org' && (s.allowedRoles.length === 0 || s.allowedRoles.includes(role.name)))
            .map((s) => s.name)
            .sort(),
        }));
        rows.sort((a, b) => a.name.localeCompare(b.name));
        printRows(flags, rows, [
          ['name', (r) => r.name],
          ['permissions', (r) => r.permissions],
          ['may grant', (r) => r.scopes],
          ['description', (r) => r.description],
        ]);
      }),
    );
}
