/**
 * When the file takes a scope away from a role (allowed_roles shrinks, or
 * the scope is deleted), tokens already issued to members of that role
 * still carry it. Access must follow the catalogue at once, not at token
 * expiry (seed 002: "revocation must be effective immediately"), so each
 * member who could grant the scope before and cannot now loses their
 * tokens in that organization. The store indexes tokens by user and org,
 * not by scope, so this is deliberately broad: the member signs in again
 * and consents under the new catalogue.
 */
import type { GrantingRoles, Plan } from './plan.ts';

const allows = (granting: GrantingRoles, roles: string[]): boolean => granting === 'every' || (granting !== 'none' && roles.some((role) => granting.includes(role)));

export async function revokeNarrowedScopes(plan: Plan): Promise<void> {
  if (plan.dryRun || plan.narrowed.length === 0) return;
  for (const org of await plan.tx.orgs.list()) {
    for (const member of await plan.tx.orgs.listMembers(org.id)) {
      const lost = plan.narrowed.filter((n) => allows(n.before, member.roles) && !allows(n.after, member.roles));
      if (lost.length === 0) continue;
      const hashes = await plan.tx.tokens.revokeForUser(member.userId, plan.now, org.id);
      if (hashes.length > 0) {
        plan.events.push({ type: 'token.revoked', tokenHashes: hashes, reason: 'revoked_by_admin', userId: member.userId, orgId: org.id, actor: plan.actor });
      }
    }
  }
}
