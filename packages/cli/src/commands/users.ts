/** `gatehouse users list|add|disable|enable`. */
import type { Command } from 'commander';
import { hash } from '@node-rs/argon2';
import { z } from 'zod';
import { newId, type User } from '@gatehouse-auth/core';
import { withAdminSession, type AdminSession } from '../cli/session.ts';
import { list, printResult, printRows, type OutputOptions } from '../cli/output.ts';
import type { DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';
import { knownRoles, orgBySlug, userByEmail } from '../cli/lookup.ts';
import { readPassword, type PasswordFlags } from '../cli/password.ts';

type Flags = DatabaseOptions & OutputOptions;
const DB = ['--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)'] as const;

async function memberships(session: AdminSession, user: User): Promise<string[]> {
  const orgs = new Map((await session.store.orgs.list()).map((o) => [o.id, o.slug]));
  return (await session.store.orgs.listMembershipsOfUser(user.id)).map((m) => `${orgs.get(m.orgId) ?? m.orgId}: ${m.roles.join('+') || 'no role'}`);
}

/** Disabling locks the person out at once: tokens and login sessions die with the account. */
async function setStatus(session: AdminSession, email: string, status: User['status']): Promise<User> {
  const { store, events, clock, actor } = session;
  const user = await userByEmail(store, email);
  if (user.status === status) return user;
  const now = clock.now();
  const updated = (await store.users.setStatus(user.id, status, now)) ?? user;
  if (status === 'disabled') {
    const hashes = await store.tokens.revokeForUser(user.id, now);
    await store.sessions.revokeForUser(user.id, now);
    await events.publish({ type: 'user.disabled', userId: user.id, actor });
    if (hashes.length > 0) await events.publish({ type: 'token.revoked', tokenHashes: hashes, reason: 'user_disabled', userId: user.id, actor });
  } else {
    await events.publish({ type: 'user.enabled', userId: user.id, actor });
  }
  return updated;
}

const publicUser = ({ passwordHash, ...user }: User) => ({ ...user, hasPassword: passwordHash !== null });

export function registerUsers(program: Command): void {
  const users = program.command('users').description('people who sign in');
  users
    .command('list')
    .description('list users with their organizations and roles')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: Flags) =>
      withAdminSession(flags, async (session) => {
        const rows = await Promise.all((await session.store.users.list()).map(async (u) => ({ ...publicUser(u), memberships: await memberships(session, u) })));
        rows.sort((a, b) => a.email.localeCompare(b.email));
        printRows(flags, rows, [
          ['email', (u) => u.email],
          ['name', (u) => u.name],
          ['status', (u) => u.status],
          ['memberships', (u) => u.memberships],
          ['id', (u) => u.id],
        ]);
      }),
    );
  users
    .command('add')
    .description('create a user, optionally as a member of an organization')
    .requiredOption('--email <email>', 'sign-in address')
    .requiredOption('--name <name>', 'display name')
    .option('--password-env <var>', 'read the password from this environment variable')
    .option('--password-stdin', 'read the password from standard input')
    .option('--org <slug>', 'add the user to this organization')
    .option('--roles <roles>', 'comma-separated roles in --org')
    .option(...DB)
    .option('--json', 'print JSON')
    .action((flags: Flags & PasswordFlags & { email: string; name: string; org?: string; roles?: string }) =>
      withAdminSession(flags, async ({ store, events, clock, actor }) => {
        const email = z.email().safeParse(flags.email);
        if (!email.success) throw new CliError(`not an email address: ${flags.email}`);
        if (flags.roles !== undefined && flags.org === undefined) throw new CliError('--roles needs --org');
        const password = await readPassword(flags);
        const org = flags.org === undefined ? undefined : await orgBySlug(store, flags.org);
        const roles = org ? await knownRoles(store, list(flags.roles ?? '')) : [];
        if (await store.users.getByEmail(email.data.toLowerCase())) throw new CliError(`a user with email ${flags.email} already exists`);
        const now = clock.now();
        const user: User = {
          id: newId('usr'),
          email: email.data.toLowerCase(),
          name: flags.name,
          passwordHash: password === undefined ? null : await hash(password),
          status: 'active',
          createdAt: now,
          updatedAt: now,
        };
        await store.transaction(async (tx) => {
          await tx.users.create(user);
          if (org) await tx.orgs.upsertMembership({ userId: user.id, orgId: org.id, roles, createdAt: now, updatedAt: now });
        });
        await events.publish({ type: 'user.created', userId: user.id, actor });
        if (org) await events.publish({ type: 'membership.added', userId: user.id, orgId: org.id, roles, actor });
        printResult(flags, `created user ${user.email} (${user.id})${org ? ` in ${org.slug} as ${roles.join(', ')}` : ''}`, publicUser(user));
      }),
    );
  for (const status of ['disabled', 'enabled'] as const) {
    users
      .command(status === 'disabled' ? 'disable' : 'enable')
      .description(status === 'disabled' ? 'block sign-in and revoke every token and session of the user at once' : 'allow sign-in again')
      .argument('<email>', 'the user')
      .option(...DB)
      .option('--json', 'print JSON')
      .action((email: string, flags: Flags) =>
        withAdminSession(flags, async (session) => {
          const user = await setStatus(session, email, status === 'disabled' ? 'disabled' : 'active');
          printResult(flags, `${user.email} is ${user.status}`, publicUser(user));
        }),
      );
  }
}
