/**
 * `gatehouse orgs clients list|allow|approve|block|remove|mode --org <slug>`:
 * which AI clients may reach an organization's resources (issue 16). The
 * same operations as the admin API (authorization-server admin/client-control.ts);
 * a block revokes the client's tokens in that org and announces it.
 */
import type { Command } from 'commander';
import { OAuthError, type ClientPolicyMode } from '@gatehouse-auth/core';
import { allowClient, blockClient, describePolicy, removeClientRule, ruleTarget, setClientPolicyMode, type RuleTarget } from '@gatehouse-auth/authorization-server';
import { withAdminSession } from '../cli/session.ts';
import { printResult, printRows, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { orgBySlug } from '../cli/lookup.ts';

type Flags = DatabaseOptions & OutputOptions & { org: string };
type TargetFlags = Flags & { host?: string };
const DB = ['--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)'] as const;
const MODES: ClientPolicyMode[] = ['open', 'allowlist', 'approval'];

function targetOf(clientId: string | undefined, flags: TargetFlags): RuleTarget {
  try {
    return ruleTarget({ clientId, host: flags.host });
  } catch (error) {
    if (error instanceof OAuthError) throw new CliError(error.message.replace('client_id', '<client-id>').replace('host', '--host'));
    throw error;
  }
}

const describeTarget = (target: RuleTarget): string => (target.kind === 'host' ? `clients on ${target.value}` : target.value);

export function registerOrgClients(orgs: Command): void {
  const clients = orgs.command('clients').description("which AI clients may reach an organization's resources");
  clients
    .command('list')
    .description("show the organization's client policy: its mode and each allowed, blocked or pending client")
    .requiredOption('--org <slug>', 'organization slug')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: Flags) =>
      withAdminSession(flags, async ({ store }) => {
        const org = await orgBySlug(store, flags.org);
        const policy = await store.clientPolicies.get(org.id);
        if (flags.json) return printResult(flags, '', describePolicy(policy));
        process.stdout.write(`${org.slug}: ${policy.mode}\n`);
        printRows(flags, policy.rules, [
          ['decision', (r) => r.decision],
          ['kind', (r) => r.kind],
          ['value', (r) => r.value],
        ]);
      }),
    );
  const ruleCommand = (name: 'allow' | 'approve' | 'block' | 'remove', description: string) =>
    clients
      .command(name)
      .description(description)
      .argument('[client-id]', 'the client id (a metadata-document client: its URL)')
      .option('--host <host>', 'every metadata-document client on this host instead, e.g. claude.ai')
      .requiredOption('--org <slug>', 'organization slug')
      .option(...DB)
      .option('--json', 'print JSON')
      .action((clientId: string | undefined, flags: TargetFlags) =>
        withAdminSession(flags, async ({ store, events, clock, actor }) => {
          const org = await orgBySlug(store, flags.org);
          const target = targetOf(clientId, flags);
          const ctx = { store, events, clock };
          if (name === 'block') {
            const result = await blockClient(ctx, org.id, target, actor);
            return printResult(flags, `blocked ${describeTarget(target)} in ${org.slug}; revoked ${result.tokensRevoked} token(s)`, { ok: true, tokens_revoked: result.tokensRevoked });
          }
          if (name === 'remove') {
            if (!(await removeClientRule(ctx, org.id, target, actor))) throw new CliError(`${org.slug} has no rule for ${describeTarget(target)}`);
            return printResult(flags, `removed the rule for ${describeTarget(target)} in ${org.slug}`, { ok: true });
          }
          await allowClient(ctx, org.id, target, actor);
          printResult(flags, `${name === 'approve' ? 'approved' : 'allowed'} ${describeTarget(target)} in ${org.slug}`, { ok: true });
        }),
      );
  ruleCommand('allow', 'allow a client (or a host) in the organization; lifts a block on it');
  ruleCommand('approve', 'approve a pending client');
  ruleCommand('block', 'block a client (or a host) in the organization: its tokens there are revoked at once');
  ruleCommand('remove', 'forget the rule for a client (or a host)');
  clients
    .command('mode')
    .description('open (any client), allowlist (only allowed ones) or approval (new clients wait for an org admin)')
    .argument('<mode>', MODES.join(' | '))
    .requiredOption('--org <slug>', 'organization slug')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((mode: string, flags: Flags) =>
      withAdminSession(flags, async ({ store, events, clock, actor }) => {
        if (!MODES.includes(mode as ClientPolicyMode)) throw new CliError(`mode must be one of ${MODES.join(', ')}`);
        const org = await orgBySlug(store, flags.org);
        await setClientPolicyMode({ store, events, clock }, org.id, mode as ClientPolicyMode, actor);
        printResult(flags, `${org.slug}: client policy ${mode}`, { ok: true, mode });
      }),
    );
}
