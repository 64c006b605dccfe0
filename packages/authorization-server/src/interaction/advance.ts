/**
 * Turns the next step of a pending authorization into a response. From
 * /authorize every interactive step is a redirect to /login or
 * /interaction/:id; from /interaction/:id the org picker or consent screen
 * is rendered. prompt=none turns each interactive step into the matching
 * error redirect (OIDC Core §3.1.2.6), which is safe because client and
 * redirect_uri were verified before the pending authorization existed.
 */
import type { Context } from 'hono';
import { isOAuthError } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { finishPending, type PendingAuthorization } from '../authorize/pending.ts';
import { nextStep } from '../authorize/next-step.ts';
import { issueCode } from '../authorize/issue-code.ts';
import { codeRedirect, errorRedirect, localRedirect, type RedirectTarget } from '../authorize/redirect.ts';
import { errorPage } from '../views/error-page.ts';
import { renderConsent, renderOrgPicker } from './render.ts';
import { currentSession } from '../session/current-session.ts';

export const redirectTargetOf = (ctx: ServerContext, pending: PendingAuthorization): RedirectTarget => ({
  redirectUri: pending.redirectUri,
  state: pending.state,
  issuer: ctx.options.issuer,
});

/** Ends the pending authorization with an error sent to the client, or shown locally when it must not be redirected. */
export async function failPending(ctx: ServerContext, pending: PendingAuthorization, error: unknown, status: 302 | 303): Promise<Response> {
  if (!isOAuthError(error)) throw error;
  await finishPending(ctx, pending.id);
  if (!error.allowRedirect) return errorPage(error.status, 'Authorization failed', error.message, error.code);
  return errorRedirect(redirectTargetOf(ctx, pending), error.code, error.message, status);
}

export async function advance(c: Context, ctx: ServerContext, pending: PendingAuthorization, from: 'authorize' | 'interaction', browserSecret: string): Promise<Response> {
  const silent = pending.prompts.includes('none');
  const target = redirectTargetOf(ctx, pending);
  const loginUrl = `${ctx.options.issuer}/login?interaction=${pending.id}`;
  if (pending.error) {
    // Held back for an untrusted client until someone has signed in (RFC 9700 §4.11.2).
    if (!(await currentSession(c, ctx))) return localRedirect(loginUrl);
    await finishPending(ctx, pending.id);
    return errorRedirect(target, pending.error.code, pending.error.description);
  }
  let step;
  try {
    step = await nextStep(c, ctx, pending);
  } catch (error) {
    return failPending(ctx, pending, error, 302);
  }
  const interactionUrl = `${ctx.options.issuer}/interaction/${pending.id}`;
  switch (step.kind) {
    case 'login':
      // prompt=none answers login_required at once only for trusted redirect URIs; an
      // untrusted client's user signs in first, then gets the silent answer.
      if (silent && pending.trustedRedirect) return finishPending(ctx, pending.id).then(() => errorRedirect(target, 'login_required', 'The user is not signed in.'));
      return localRedirect(loginUrl);
    case 'pick_org':
      if (silent) return finishPending(ctx, pending.id).then(() => errorRedirect(target, 'interaction_required', 'The user must choose an organization.'));
      return from === 'authorize' ? localRedirect(interactionUrl) : renderOrgPicker(ctx, pending, step, browserSecret);
    case 'consent':
      if (silent) return finishPending(ctx, pending.id).then(() => errorRedirect(target, 'consent_required', 'The user has not approved this request.'));
      return from === 'authorize' ? localRedirect(interactionUrl) : renderConsent(ctx, pending, step, browserSecret);
    case 'issue': {
      const code = await issueCode(ctx, pending, {
        userId: step.active.user.id,
        orgId: step.consent.orgId,
        grantId: step.grant.id,
        scopes: step.scopes,
        sessionId: step.active.session.id,
        authTime: step.active.session.createdAt,
      });
      await finishPending(ctx, pending.id);
      return codeRedirect(target, code);
    }
  }
}
