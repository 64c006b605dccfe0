/**
 * Users and their memberships (development and seeded accounts). Passwords
 * are hashed with argon2id; an unchanged password is detected by verifying
 * it against the stored hash, so a second apply rewrites nothing. Losing a
 * role or a membership revokes the user's tokens in that organization at
 * once: their scopes were granted under the old roles.
 */
import { hash, verify } from '@node-rs/argon2';
import { newId, type User } from '@gatehouse-auth/core';
import type { GatehouseConfig, UserConfig } from './schema.ts';
import { membershipKey } from './ownership.ts';
import { record, sorted, type Plan } from './plan.ts';

async function passwordChanged(current: User, password: string | undefined): Promise<boolean> {
  if (password === undefined) return false; // absent in the file: leave whatever is stored
  if (current.passwordHash === null) return true;
  try {
    return !(await verify(current.passwordHash, password));
  } catch {
    return true; // unreadable hash: replace it
  }
}

async function revokeUserTokens(plan: Plan, userId: string, orgId: string | undefined, reason: 'membership_changed' | 'user_disabled'): Promise<void> {
  const hashes = await plan.tx.tokens.revokeForUser(userId, plan.now, orgId);
  if (hashes.length > 0) plan.events.push({ type: 'token.revoked', tokenHashes: hashes, reason, userId, orgId: orgId ?? null, actor: plan.actor });
}

async function applyUser(plan: Plan, entry: UserConfig): Promise<void> {
  const current = await plan.tx.users.getByEmail(entry.email);
  // Absent `disabled` keeps the stored status: re-applying the file must never re-enable an account an operator locked.
  const status = entry.disabled === undefined ? (current?.status ?? 'active') : entry.disabled ? 'disabled' : 'active';
  plan.nextOwned.users.push(entry.email);
  if (!current) {
    const user: User = {
      id: newId('usr'),
      email: entry.email,
      name: entry.name,
      passwordHash: entry.password === undefined || plan.dryRun ? null : await hash(entry.password),
      status,
      createdAt: plan.now,
      updatedAt: plan.now,
    };
    plan.userIds.set(entry.email, user.id);
    record(plan, { op: '+', kind: 'user', name: entry.email }, { type: 'user.created', userId: user.id, actor: plan.actor });
    if (!plan.dryRun) await plan.tx.users.create(user);
    return;
  }
  plan.userIds.set(entry.email, current.id);
  const details: string[] = [];
  const patch: Partial<Pick<User, 'name' | 'passwordHash'>> = {};
  if (current.name !== entry.name) {
    details.push(`name ${current.name} → ${entry.name}`);
    patch.name = entry.name;
  }
  if (await passwordChanged(current, entry.password)) {
    details.push('password changed');
    patch.passwordHash = plan.dryRun ? null : await hash(entry.password as string);
  }
  if (Object.keys(patch).length > 0) {
    record(plan, { op: '~', kind: 'user', name: entry.email, detail: details.join('; ') }, { type: 'user.updated', userId: current.id, actor: plan.actor });
    if (!plan.dryRun) await plan.tx.users.update(current.id, patch, plan.now);
  }
  if (current.status !== status) {
    const type = status === 'disabled' ? 'user.disabled' : 'user.enabled';
    record(plan, { op: '~', kind: 'user', name: entry.email, detail: `status ${current.status} → ${status}` }, { type, userId: current.id, actor: plan.actor });
    if (plan.dryRun) return;
    await plan.tx.users.setStatus(current.id, status, plan.now);
    if (status === 'disabled') {
      await revokeUserTokens(plan, current.id, undefined, 'user_disabled');
      await plan.tx.sessions.revokeForUser(current.id, plan.now);
    }
  }
}

async function applyMemberships(plan: Plan, entry: UserConfig): Promise<void> {
  const userId = plan.userIds.get(entry.email) as string;
  for (const m of entry.memberships) {
    const orgId = plan.orgIds.get(m.org) as string;
    const name = membershipKey(entry.email, m.org);
    const roles = sorted(m.roles);
    plan.nextOwned.memberships.push(name);
    const current = await plan.tx.orgs.getMembership(userId, orgId);
    const label = `${entry.email} in ${m.org}`;
    if (current && JSON.stringify(sorted(current.roles)) === JSON.stringify(roles)) continue;
    if (!current) {
      record(plan, { op: '+', kind: 'membership', name: label, detail: `roles [${roles.join(', ')}]` }, { type: 'membership.added', userId, orgId, roles, actor: plan.actor });
    } else {
      const detail = `roles [${sorted(current.roles).join(', ')}] → [${roles.join(', ')}]`;
      record(plan, { op: '~', kind: 'membership', name: label, detail }, { type: 'membership.changed', userId, orgId, roles, actor: plan.actor });
    }
    if (plan.dryRun) continue;
    await plan.tx.orgs.upsertMembership({ userId, orgId, roles, createdAt: current?.createdAt ?? plan.now, updatedAt: plan.now });
    if (current) await revokeUserTokens(plan, userId, orgId, 'membership_changed');
  }
}

export async function applyUsers(plan: Plan, config: GatehouseConfig): Promise<void> {
  for (const entry of config.users) await applyUser(plan, entry);
  for (const entry of config.users) await applyMemberships(plan, entry);
}

/**
 * Memberships config created and the file dropped are removed; users it
 * created and the file dropped are disabled (never deleted: their history
 * stays attributable). Users from signup were never owned, so never touched.
 */
export async function pruneUsers(plan: Plan): Promise<void> {
  const keepMemberships = new Set(plan.nextOwned.memberships);
  for (const key of plan.owned.memberships.filter((k) => !keepMemberships.has(k))) {
    const [email, slug] = key.split(' ') as [string, string];
    const user = await plan.tx.users.getByEmail(email);
    const org = await plan.tx.orgs.getBySlug(slug);
    const membership = user && org ? await plan.tx.orgs.getMembership(user.id, org.id) : undefined;
    if (!user || !org || !membership) continue;
    record(plan, { op: '-', kind: 'membership', name: `${email} in ${slug}` }, { type: 'membership.removed', userId: user.id, orgId: org.id, roles: membership.roles, actor: plan.actor });
    if (plan.dryRun) continue;
    await plan.tx.orgs.removeMembership(user.id, org.id);
    await revokeUserTokens(plan, user.id, org.id, 'membership_changed');
  }
  const keepUsers = new Set(plan.nextOwned.users);
  for (const email of plan.owned.users.filter((e) => !keepUsers.has(e))) {
    const user = await plan.tx.users.getByEmail(email);
    if (!user || user.status === 'disabled') continue;
    record(plan, { op: '-', kind: 'user', name: email, detail: 'disabled' }, { type: 'user.disabled', userId: user.id, actor: plan.actor });
    if (plan.dryRun) continue;
    await plan.tx.users.setStatus(user.id, 'disabled', plan.now);
    await revokeUserTokens(plan, user.id, undefined, 'user_disabled');
    await plan.tx.sessions.revokeForUser(user.id, plan.now);
  }
}
