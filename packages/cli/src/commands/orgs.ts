/** `gatehouse orgs list|add|clients|domains|setup-link`. */
import type { Command } from 'commander';
import { newId } from '@gatehouse-auth/core';
import { withAdminSession } from '../cli/session.ts';
import { printResult, printRows, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { organizationSchema } from '../config/schema.ts';
import { registerOrgClients } from './org-clients.ts';
import { registerOrgDomains } from './org-domains.ts';
import { registerOrgSetupLink } from './org-setup-link.ts';

type Flags = DatabaseOptions & OutputOptions;
const DB = ['--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)'] as const;

export function registerOrgs(program: Command): void {
  const orgs = program.command('orgs').description('organizations');
  orgs
    .command('list')
    .description('list organizations with their member counts')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: Flags) =>
      withAdminSession(flags, async ({ store }) => {
        const rows = await Promise.all((await store.orgs.list()).map(async (org) => ({ ...org, members: (await store.orgs.listMembers(org.id)).length })));
        printRows(flags, rows, [
          ['slug', (o) => o.slug],
          ['name', (o) => o.name],
          ['members', (o) => o.members],
          ['audit retention days', (o) => o.auditRetentionDays ?? 'forever'],
          ['id', (o) => o.id],
        ]);
      }),
    );
  orgs
    .command('add')
    .description('create an organization')
    .requiredOption('--slug <slug>', 'short name used in config and URLs (a-z, 0-9, -)')
    .requiredOption('--name <name>', 'display name')
    .option('--audit-retention-days <days>', 'keep audit records this many days (default: forever)')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: Flags & { slug: string; name: string; auditRetentionDays?: string }) =>
      withAdminSession(flags, async ({ store, events, clock, actor }) => {
        const days = flags.auditRetentionDays === undefined ? null : Number(flags.auditRetentionDays);
        const parsed = organizationSchema.safeParse({ slug: flags.slug, name: flags.name, audit_retention_days: days });
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new CliError(`${String(issue.path[0] ?? 'value').replaceAll('_', '-')}: ${issue.message}`);
        }
        if (await store.orgs.getBySlug(flags.slug)) throw new CliError(`organization "${flags.slug}" already exists`);
        const now = clock.now();
        const org = { id: newId('org'), slug: parsed.data.slug, name: parsed.data.name, auditRetentionDays: parsed.data.audit_retention_days, createdAt: now, updatedAt: now };
        await store.orgs.create(org);
        await events.publish({ type: 'org.created', orgId: org.id, actor });
        printResult(flags, `created organization ${org.slug} (${org.id})`, org);
      }),
    );
  registerOrgClients(orgs);
  registerOrgDomains(orgs);
  registerOrgSetupLink(orgs);
}
