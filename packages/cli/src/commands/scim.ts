/**
 * `gatehouse scim token create|rotate --org <slug>`: the bearer token an
 * organization's directory (Okta, Entra ID…) uses at /scim/v2/<org>/. The
 * token is printed once and stored as its SHA-256; rotating makes the old
 * one stop working at once.
 */
import type { Command } from 'commander';
import { issueScimToken, ScimTokenExistsError, ScimTokenMissingError, type ScimTokenMode } from '@gatehouse-auth/scim';
import { withAdminSession } from '../cli/session.ts';
import { printResult, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { orgBySlug } from '../cli/lookup.ts';

type Flags = DatabaseOptions & OutputOptions & { org: string };
const DB = ['--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)'] as const;

export function registerScim(program: Command): void {
  const scim = program.command('scim').description('SCIM 2.0 provisioning from a company directory');
  const token = scim.command('token').description("an organization's SCIM bearer token");
  for (const mode of ['create', 'rotate'] as const satisfies readonly ScimTokenMode[]) {
    token
      .command(mode)
      .description(mode === 'create' ? 'create the org’s SCIM token (refused when it has one)' : 'replace the org’s SCIM token; the old one stops working at once')
      .requiredOption('--org <slug>', 'the organization')
      .option(...DB)
      .option('--json', 'print JSON')
      .action((flags: Flags) =>
        withAdminSession(flags, async ({ store, events, clock, actor }) => {
          const org = await orgBySlug(store, flags.org);
          try {
            const { token: value } = await issueScimToken({ store, events, clock, actor }, org.id, mode);
            printResult(flags, `SCIM token for ${org.slug} (shown once, store it in your directory now):\n${value}`, { org: org.slug, token: value });
          } catch (error) {
            if (error instanceof ScimTokenExistsError) throw new CliError(`${org.slug} already has a SCIM token: use \`gatehouse scim token rotate --org ${org.slug}\``);
            if (error instanceof ScimTokenMissingError) throw new CliError(`${org.slug} has no SCIM token yet: use \`gatehouse scim token create --org ${org.slug}\``);
            throw error;
          }
        }),
      );
  }
}
