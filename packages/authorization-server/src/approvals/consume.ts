/**
 * POST /approvals/consume: the resource server, about to run a call that
 * needed approval, spends the approval (issue 15 item 4). The binding is
 * the call's tool and argument hash as the resource server computed them
 * from the retried request, plus the grant, subject, agent and resource
 * read from the token: an approval of other arguments, another tool or
 * another grant is refused, and a spent one is never spent again (one
 * conditional update in the store, store/kysely/approvals.ts).
 */
import type { Client } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import type { FormParams } from '../token/form.ts';
import { requireParam } from '../token/form.ts';
import { argumentsHashParam, callOfToken } from './open.ts';

export type ConsumeAnswer = { consumed: true; approval_id: string } | { consumed: false; reason: string };

export async function consumeApproval(ctx: ServerContext, caller: Client, form: FormParams): Promise<ConsumeAnswer> {
  const call = await callOfToken(ctx, caller, requireParam(form, 'token'));
  const tool = requireParam(form, 'tool');
  const argumentsSha256 = argumentsHashParam(form);
  const id = form.approval_id === undefined || form.approval_id === '' ? undefined : form.approval_id;
  const binding = { grantId: call.grantId, subject: call.subject, clientId: call.clientId, resource: call.resource, tool, argumentsSha256 };
  const outcome = await ctx.store.approvals.consume(id, binding, ctx.clock.now());
  const about = { userId: call.userId, orgId: call.orgId, clientId: call.clientId, resource: call.resource, tool, argumentsSha256 };
  if (outcome.consumed) {
    await ctx.events.publish({ type: 'approval.consumed', approvalId: outcome.approval.id, ...about });
    return { consumed: true, approval_id: outcome.approval.id };
  }
  // Looking for an out-of-band approval that does not exist is the normal first call of a client
  // without URL elicitation, not a refusal: only attempts on a named or found approval are recorded.
  if (id !== undefined || outcome.reason !== 'unknown') await ctx.events.publish({ type: 'approval.refused', approvalId: id ?? '', ...about, reason: outcome.reason });
  return { consumed: false, reason: outcome.reason };
}
