/**
 * `gatehouse orgs setup-link create|revoke --org <slug>` (issue 13 item 5):
 * an expiring link the company's IT opens to configure the organization's
 * identity provider, and nothing else. The link is printed once; the store
 * keeps only its SHA-256.
 */
import type { Command } from 'commander';
import { createSetupLink } from '@gatehouse-auth/authorization-server';
import { withAdminSession } from '../cli/session.ts';
import { printResult, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { checkIssuer } from '../cli/issuer.ts';
import { orgBySlug } from '../cli/lookup.ts';

type Flags = DatabaseOptions & OutputOptions & { org: string };
const DB = ['--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)'] as const;

export function registerOrgSetupLink(orgs: Command): void {
  const link = orgs.command('setup-link').description("expiring links for the company's IT to configure the organization's sign-in");
  link
    .command('create')
    .description('create a setup link for the organization and print it (once)')
    .requiredOption('--org <slug>', 'organization slug')
    .option('--issuer <url>', 'the public issuer URL the link starts with (default: GATEHOUSE_ISSUER)')
    .option('--expires-in-hours <hours>', 'lifetime in hours, at most 720', '168')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: Flags & { issuer?: string; expiresInHours: string }) =>
      withAdminSession(flags, async ({ store, events, clock, actor }) => {
        const issuer = flags.issuer ?? process.env['GATEHOUSE_ISSUER'];
        if (!issuer) throw new CliError('give --issuer (or set GATEHOUSE_ISSUER): the link starts with it');
        checkIssuer(issuer, false);
        const hours = Number(flags.expiresInHours);
        if (!Number.isInteger(hours) || hours < 1 || hours > 720) throw new CliError('expires-in-hours: a whole number from 1 to 720');
        const org = await orgBySlug(store, flags.org);
        const created = await createSetupLink({ store, events, clock, issuer }, org.id, actor, hours * 3_600_000);
        printResult(flags, `setup link for ${org.slug}, valid until ${new Date(created.expiresAt).toISOString()}:\n  ${created.url}`, {
          url: created.url,
          expires_at: Math.floor(created.expiresAt / 1000),
        });
      }),
    );
  link
    .command('revoke')
    .description('revoke every live setup link of the organization')
    .requiredOption('--org <slug>', 'organization slug')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: Flags) =>
      withAdminSession(flags, async ({ store, clock }) => {
        const org = await orgBySlug(store, flags.org);
        const revoked = await store.federation.revokeSetupLinks(org.id, clock.now());
        printResult(flags, `revoked ${revoked} setup link(s) of ${org.slug}`, { revoked });
      }),
    );
}
