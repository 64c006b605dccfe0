/** `gatehouse tokens revoke --user|--client|--grant`: immediate revocation (seed 002: "not at next token rotation"). */
import type { Command } from 'commander';
import { withAdminSession } from '../cli/session.ts';
import { printResult, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { clientById, orgBySlug, userByEmail } from '../cli/lookup.ts';

interface RevokeFlags extends DatabaseOptions, OutputOptions {
  user?: string;
  org?: string;
  client?: string;
  grant?: string;
}

export function registerTokens(program: Command): void {
  const tokens = program.command('tokens').description('access and refresh tokens');
  tokens
    .command('revoke')
    .description('revoke every token of a user (optionally in one org), of a client, or of a grant')
    .option('--user <email>', "revoke the user's tokens")
    .option('--org <slug>', 'with --user: only tokens in this organization')
    .option('--client <client_id>', "revoke the client's tokens")
    .option('--grant <grant_id>', 'revoke the grant (consent), its tokens and unused codes')
    .option('--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)')
    .option('--json', 'print JSON')
    .action((flags: RevokeFlags) =>
      withAdminSession(flags, async ({ store, events, clock, actor }) => {
        const chosen = [flags.user, flags.client, flags.grant].filter((v) => v !== undefined);
        if (chosen.length !== 1) throw new CliError('give exactly one of --user, --client or --grant');
        if (flags.org !== undefined && flags.user === undefined) throw new CliError('--org needs --user');
        const now = clock.now();
        let hashes: string[];
        let what: string;
        if (flags.user !== undefined) {
          const user = await userByEmail(store, flags.user);
          const org = flags.org === undefined ? undefined : await orgBySlug(store, flags.org);
          hashes = await store.tokens.revokeForUser(user.id, now, org?.id);
          what = `${user.email}${org ? ` in ${org.slug}` : ''}`;
          if (hashes.length > 0) await events.publish({ type: 'token.revoked', tokenHashes: hashes, reason: 'revoked_by_admin', userId: user.id, orgId: org?.id ?? null, actor });
        } else if (flags.client !== undefined) {
          const client = await clientById(store, flags.client);
          hashes = await store.tokens.revokeForClient(client.id, now);
          what = `client ${client.id}`;
          if (hashes.length > 0) await events.publish({ type: 'token.revoked', tokenHashes: hashes, reason: 'revoked_by_admin', clientId: client.id, actor });
        } else {
          const grant = await store.grants.get(flags.grant as string);
          if (!grant) throw new CliError(`no grant "${flags.grant}"`);
          const result = await store.grants.revokeGrant(grant.id, now);
          hashes = result.tokenHashes;
          what = `grant ${grant.id}`;
          if (result.revoked || hashes.length > 0) {
            await events.publish({ type: 'grant.revoked', grantId: grant.id, tokenHashes: hashes, userId: grant.userId, clientId: grant.clientId, actor });
          }
        }
        printResult(flags, `revoked ${hashes.length} token${hashes.length === 1 ? '' : 's'} of ${what}`, { revokedTokens: hashes.length });
      }),
    );
}
