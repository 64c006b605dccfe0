/**
 * `gatehouse orgs domains list|add|verify|remove --org <slug>` (issue 13):
 * an organization's email domains. `add` prints the TXT record to publish;
 * `verify` looks it up in DNS and, once found, lets the domain route its
 * people to the org's identity provider. (Operators may instead assert a
 * domain in gatehouse.yaml: `domains: [{ name, verified_by: config }]`.)
 */
import type { Command } from 'commander';
import { challengeRecordName, claimDomain, verifyDomainByDns } from '@gatehouse-auth/authorization-server';
import { withAdminSession } from '../cli/session.ts';
import { printResult, printRows, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { orgBySlug } from '../cli/lookup.ts';
import { domainSchema } from '../config/schema-org-sso.ts';

type Flags = DatabaseOptions & OutputOptions & { org: string };
const DB = ['--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)'] as const;

function domainName(value: string): string {
  const parsed = domainSchema.shape.name.safeParse(value.toLowerCase());
  if (!parsed.success) throw new CliError(`domain: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function registerOrgDomains(orgs: Command): void {
  const domains = orgs.command('domains').description("an organization's email domains (SSO routing and account linking)");
  domains
    .command('list')
    .description("list the organization's domains and whether each is verified")
    .requiredOption('--org <slug>', 'organization slug')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: Flags) =>
      withAdminSession(flags, async ({ store }) => {
        const org = await orgBySlug(store, flags.org);
        printRows(flags, await store.federation.listDomains(org.id), [
          ['domain', (d) => d.name],
          ['verified by', (d) => d.verifiedBy ?? 'not verified'],
          ['TXT record', (d) => `${challengeRecordName(d.name)} ${d.challenge}`],
        ]);
      }),
    );
  domains
    .command('add')
    .description('claim a domain for the organization and print the DNS TXT record that proves it')
    .argument('<domain>', 'e.g. acme.com')
    .requiredOption('--org <slug>', 'organization slug')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((name: string, flags: Flags) =>
      withAdminSession(flags, async ({ store, clock }) => {
        const org = await orgBySlug(store, flags.org);
        const domain = await claimDomain(store, org.id, domainName(name), clock.now());
        printResult(
          flags,
          `publish this TXT record, then run \`gatehouse orgs domains verify ${domain.name} --org ${org.slug}\`:\n  ${challengeRecordName(domain.name)}  TXT  "${domain.challenge}"`,
          domain,
        );
      }),
    );
  domains
    .command('verify')
    .description("look the domain's TXT record up in DNS and verify the domain when it is there")
    .argument('<domain>', 'a domain added with `domains add`')
    .requiredOption('--org <slug>', 'organization slug')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((name: string, flags: Flags) =>
      withAdminSession(flags, async ({ store, clock, events, actor }) => {
        const org = await orgBySlug(store, flags.org);
        const result = await verifyDomainByDns(store, org.id, domainName(name), clock.now());
        if (result.status === 'unknown_domain') throw new CliError(`${name} is not a domain of ${org.slug}: add it first`);
        if (result.status === 'taken') throw new CliError(`${name} is already verified by another organization`);
        if (result.status === 'record_missing') throw new CliError(`no TXT record ${result.recordName} with "${result.expected}" yet (DNS changes can take a while)`);
        await events.publish({ type: 'org.updated', orgId: org.id, actor });
        printResult(flags, `verified ${result.domain.name} for ${org.slug}`, result.domain);
      }),
    );
  domains
    .command('remove')
    .description('remove a domain from the organization (it stops routing logins and vouching for emails)')
    .argument('<domain>')
    .requiredOption('--org <slug>', 'organization slug')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((name: string, flags: Flags) =>
      withAdminSession(flags, async ({ store, events, actor }) => {
        const org = await orgBySlug(store, flags.org);
        if (!(await store.federation.removeDomain(org.id, domainName(name)))) throw new CliError(`${name} is not a domain of ${org.slug}`);
        await events.publish({ type: 'org.updated', orgId: org.id, actor });
        printResult(flags, `removed ${name} from ${org.slug}`, { removed: name });
      }),
    );
}
