/**
 * Whether the person behind a grant may still hold tokens: the account is
 * active and, for org-bound grants, still a member. Checked at every code
 * redemption and refresh, so disabling a user or removing a membership
 * stops new tokens at once even if a revocation was missed. At refresh the
 * store checks it inside the rotation (`subject_inactive`), under the same
 * lock; code redemption checks it here.
 */
import { OAuthError, type Membership, type User } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';

export interface ActiveSubject {
  user: User;
  membership: Membership | undefined;
}

export async function findActiveSubject(ctx: ServerContext, userId: string, orgId: string | null): Promise<ActiveSubject | undefined> {
  const [user, membership] = await Promise.all([ctx.store.users.get(userId), orgId ? ctx.store.orgs.getMembership(userId, orgId) : Promise.resolve(undefined)]);
  if (!user || user.status !== 'active') return undefined;
  if (orgId && !membership) return undefined;
  return { user, membership };
}

/** The error for a user who may no longer hold tokens (disabled, deleted, or removed from the org). */
export const inactiveSubject = (): OAuthError => new OAuthError('invalid_grant', 'The grant is no longer valid.', { detail: 'user disabled or no longer a member' });

export async function requireActiveSubject(ctx: ServerContext, userId: string, orgId: string | null): Promise<ActiveSubject> {
  const subject = await findActiveSubject(ctx, userId, orgId);
  if (!subject) throw inactiveSubject();
  return subject;
}

/** The grant behind a code or refresh token must not have been revoked. */
export async function requireLiveGrant(ctx: ServerContext, grantId: string | null): Promise<void> {
  if (!grantId) return;
  const grant = await ctx.store.grants.get(grantId);
  if (!grant || grant.revokedAt !== null) throw new OAuthError('invalid_grant', 'The grant is no longer valid.', { detail: 'grant revoked' });
}
