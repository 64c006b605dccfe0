/**
 * Who may decide an approval: the person the token acts for, or a member
 * of the approval's organization holding one of the approver roles the
 * resource server named (seed 004: Management approves another employee's
 * revenue export). Nobody else, whatever they hold elsewhere. With
 * self-approval off (four eyes) only another person holding an approver role.
 */
import type { User } from '@gatehouse-auth/core';
import type { Approval } from '@gatehouse-auth/store';
import type { ServerContext } from '../context.ts';

export async function mayDecide(ctx: ServerContext, user: User, approval: Approval): Promise<boolean> {
  // Four eyes (selfApproval false): the person the agent acts for never decides, whatever roles they hold.
  if (approval.userId !== null && user.id === approval.userId) return approval.selfApproval;
  if (approval.orgId === null || approval.approverRoles.length === 0) return false;
  const membership = await ctx.store.orgs.getMembership(user.id, approval.orgId);
  return membership !== undefined && membership.roles.some((role) => approval.approverRoles.includes(role));
}
