/**
 * `gatehouse members add|remove|set-roles`. A member who loses a role or
 * leaves keeps no token from before: their scopes were granted under the
 * old roles, so their tokens in that organization are revoked at once.
 */
import type { Command } from 'commander';
import { withAdminSession, type AdminSession } from '../cli/session.ts';
import { list, printResult, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { knownRoles, orgBySlug, userByEmail } from '../cli/lookup.ts';

type Flags = DatabaseOptions & OutputOptions;
const DB = ['--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)'] as const;

async function revokeInOrg(session: AdminSession, userId: string, orgId: string): Promise<number> {
  const hashes = await session.store.tokens.revokeForUser(userId, session.clock.now(), orgId);
  if (hashes.length > 0) await session.events.publish({ type: 'token.revoked', tokenHashes: hashes, reason: 'membership_changed', userId, orgId, actor: session.actor });
  return hashes.length;
}

async function setRoles(session: AdminSession, email: string, slug: string, rolesFlag: string, mode: 'add' | 'set'): Promise<{ message: string; json: unknown }> {
  const { store, events, clock, actor } = session;
  const user = await userByEmail(store, email);
  const org = await orgBySlug(store, slug);
  const roles = await knownRoles(store, list(rolesFlag));
  const current = await store.orgs.getMembership(user.id, org.id);
  if (mode === 'add' && current) throw new CliError(`${user.email} is already a member of ${org.slug} (use "members set-roles")`);
  if (mode === 'set' && !current) throw new CliError(`${user.email} is not a member of ${org.slug} (use "members add")`);
  const now = clock.now();
  const membership = { userId: user.id, orgId: org.id, roles, createdAt: current?.createdAt ?? now, updatedAt: now };
  await store.orgs.upsertMembership(membership);
  await events.publish({ type: current ? 'membership.changed' : 'membership.added', userId: user.id, orgId: org.id, roles, actor });
  const revoked = current ? await revokeInOrg(session, user.id, org.id) : 0;
  const suffix = revoked > 0 ? `; revoked ${revoked} token${revoked === 1 ? '' : 's'}` : '';
  return { message: `${user.email} in ${org.slug}: ${roles.join(', ')}${suffix}`, json: { ...membership, email: user.email, org: org.slug, revokedTokens: revoked } };
}

export function registerMembers(program: Command): void {
  const members = program.command('members').description('who belongs to which organization, with which roles');
  const roleCommand = (name: 'add' | 'set-roles', description: string, mode: 'add' | 'set', verb: string) =>
    members
      .command(name)
      .description(description)
      .argument('<email>', 'the user')
      .argument('<org>', 'organization slug')
      .requiredOption('--roles <roles>', 'comma-separated roles')
      .option(...DB)
      .option('--json', 'print JSON')
      .action((email: string, org: string, flags: Flags & { roles: string }) =>
        withAdminSession(flags, async (session) => {
          const { message, json } = await setRoles(session, email, org, flags.roles, mode);
          printResult(flags, `${verb} ${message}`, json);
        }),
      );
  roleCommand('add', 'make a user a member of an organization', 'add', 'added');
  roleCommand('set-roles', "replace a member's roles (revokes their tokens in that organization)", 'set', 'set');
  members
    .command('remove')
    .description('remove a member from an organization (revokes their tokens in it)')
    .argument('<email>', 'the user')
    .argument('<org>', 'organization slug')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((email: string, slug: string, flags: Flags) =>
      withAdminSession(flags, async (session) => {
        const user = await userByEmail(session.store, email);
        const org = await orgBySlug(session.store, slug);
        const current = await session.store.orgs.getMembership(user.id, org.id);
        if (!current) throw new CliError(`${user.email} is not a member of ${org.slug}`);
        await session.store.orgs.removeMembership(user.id, org.id);
        await session.events.publish({ type: 'membership.removed', userId: user.id, orgId: org.id, roles: current.roles, actor: session.actor });
        const revoked = await revokeInOrg(session, user.id, org.id);
        printResult(flags, `removed ${user.email} from ${org.slug}; revoked ${revoked} token${revoked === 1 ? '' : 's'}`, { email: user.email, org: org.slug, revokedTokens: revoked });
      }),
    );
}
