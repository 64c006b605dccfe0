/**
 * The consent decision, re-validated on the server: whatever the form
 * claims, only scopes offered on this screen, allowed by the user's role in
 * the chosen org, and (for optional ones) ticked are granted. A forged POST
 * naming a greyed-out scope grants nothing more.
 */
import type { ServerContext } from '../context.ts';
import type { PendingAuthorization } from '../authorize/pending.ts';
import type { NextStep } from '../authorize/next-step.ts';
import { finishPending } from '../authorize/pending.ts';
import { issueCode } from '../authorize/issue-code.ts';
import { codeRedirect } from '../authorize/redirect.ts';
import { approvedScopes } from '../consent/plan.ts';
import { rememberConsent } from '../consent/remember.ts';
import { redirectTargetOf } from './advance.ts';

type ConsentStep = Extract<NextStep, { kind: 'consent' | 'issue' }>;

export async function approve(ctx: ServerContext, pending: PendingAuthorization, step: ConsentStep, ticked: string[]): Promise<Response> {
  const { consent, active } = step;
  const approved = approvedScopes(consent.choices, ticked);
  const now = ctx.clock.now();
  const { result, code } = await ctx.store.transaction(async (tx) => {
    const result = await rememberConsent(tx, {
      existing: consent.grant,
      userId: active.user.id,
      orgId: consent.orgId,
      clientId: consent.client.id,
      resource: consent.resource.uri,
      choices: consent.choices,
      approved,
      definitions: consent.definitions,
      roles: consent.roles,
      now,
      options: ctx.options,
    });
    const code = await issueCode({ ...ctx, store: tx }, pending, {
      userId: active.user.id,
      orgId: consent.orgId,
      grantId: result.grant.id,
      scopes: approved,
      sessionId: active.session.id,
      authTime: active.session.createdAt,
    });
    return { result, code };
  });
  await finishPending(ctx, pending.id);
  await ctx.events.publish({
    type: result.kind,
    grantId: result.grant.id,
    userId: active.user.id,
    orgId: consent.orgId,
    clientId: consent.client.id,
    resource: consent.resource.uri,
    scopes: result.grant.scopes,
    actor: { kind: 'user', id: active.user.id },
  });
  return codeRedirect(redirectTargetOf(ctx, pending), code, 303);
}
