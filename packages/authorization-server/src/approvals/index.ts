/**
 * Per-call human approvals (issue 15 item 4, docs/approvals.md):
 *   POST /approvals          a resource server opens one (client-authenticated, OAuth JSON errors)
 *   POST /approvals/consume  a resource server spends one for the call it runs now
 *   GET  /approvals/:id      the person reviews it (browser session)
 *   POST /approvals/:id      the person approves or denies (session + CSRF)
 * The bearer token never decides anything here: deciding needs the
 * person's browser session and a CSRF token bound to this approval, so a
 * model holding the token cannot approve its own call.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthErrorResponse, oauthJson } from '../http/oauth-response.ts';
import { nodeIncoming, requestHeaders } from '../http/request-headers.ts';
import { formField, readPageForm } from '../http/page-form.ts';
import { requesterAddress } from '../session/client-ip.ts';
import { ensureBrowserBinding } from '../session/browser.ts';
import { rememberApproval } from '../session/approval-return.ts';
import { withCookies } from '../session/cookies.ts';
import { checkCsrf, csrfToken } from '../session/csrf.ts';
import { currentSession } from '../session/current-session.ts';
import { authenticateResourceServer } from '../token/authenticate.ts';
import { readForm } from '../token/form.ts';
import { approvalPage, signInToApprovePage } from '../views/approval-page.ts';
import { errorPage } from '../views/error-page.ts';
import { htmlResponse } from '../views/layout.ts';
import { consumeApproval } from './consume.ts';
import { mayDecide } from './decide.ts';
import { openApproval } from './open.ts';
import type { Approval } from '@gatehouse-auth/store';
import type { User } from '@gatehouse-auth/core';

const binding = (id: string) => `approval:${id}`;

export function mountApprovals(app: Hono<AppEnv>, ctx: ServerContext): void {
  const resourceServerCall = (handle: typeof openApproval | typeof consumeApproval, status: number) => async (c: Context<AppEnv>) => {
    try {
      const incoming = nodeIncoming(c.env);
      const headers = requestHeaders(c.req.raw, incoming);
      const form = await readForm(c.req.raw, headers, incoming);
      const caller = await authenticateResourceServer(ctx, headers, form, requesterAddress(headers.get('x-forwarded-for'), c.env));
      return oauthJson(await handle(ctx, caller, form), status);
    } catch (error) {
      return oauthErrorResponse(error, (message, fields) => ctx.log('error', message, fields));
    }
  };
  app.post('/approvals', resourceServerCall(openApproval, 201));
  app.post('/approvals/consume', resourceServerCall(consumeApproval, 200));
  app.get('/approvals/:id', (c) => review(c, ctx));
  app.post('/approvals/:id', (c) => decide(c, ctx));
}

const notFound = () => errorPage(404, 'No such approval', 'This approval request does not exist. It may have been removed after it expired.');
const forbidden = () => errorPage(403, 'Not yours to decide', 'Only the person the agent acts for, or someone holding an approver role for this call, may decide it.');

async function render(c: Context, ctx: ServerContext, approval: Approval, status = 200, notice?: string): Promise<Response> {
  const browser = ensureBrowserBinding(c, ctx);
  const [client, requester, org] = await Promise.all([
    ctx.store.clients.get(approval.clientId),
    approval.userId ? ctx.store.users.get(approval.userId) : Promise.resolve(undefined),
    approval.orgId ? ctx.store.orgs.get(approval.orgId) : Promise.resolve(undefined),
  ]);
  const now = ctx.clock.now();
  const open = approval.status === 'pending' && approval.expiresAt > now;
  const state =
    notice ?? (approval.status === 'pending' ? 'This request has expired. The agent must ask again.' : `This request was ${approval.status === 'consumed' ? 'approved and used' : approval.status}.`);
  const page = approvalPage({
    issuer: ctx.options.issuer,
    approval,
    agentName: client?.name ?? approval.clientId,
    requesterEmail: requester?.email ?? null,
    orgName: org?.name ?? null,
    csrf: csrfToken(browser.secret, binding(approval.id)),
    open,
    ...(open ? {} : { notice: state }),
  });
  return withCookies(await htmlResponse(status, page), browser.setCookie ? [browser.setCookie] : []);
}

/** The signed-in person, or the page asking them to sign in. */
async function signedInUser(c: Context, ctx: ServerContext, approval: Approval): Promise<User | Response> {
  const session = await currentSession(c, ctx);
  if (!session) {
    const remember = rememberApproval(ctx, approval.id);
    return withCookies(await htmlResponse(401, signInToApprovePage(ctx.options.issuer, approval.id)), remember ? [remember] : []);
  }
  return session.user;
}

async function review(c: Context, ctx: ServerContext): Promise<Response> {
  const approval = await ctx.store.approvals.get(c.req.param('id') ?? '');
  if (!approval) return notFound();
  const user = await signedInUser(c, ctx, approval);
  if (user instanceof Response) return user;
  if (!(await mayDecide(ctx, user, approval))) return forbidden();
  return render(c, ctx, approval);
}

async function decide(c: Context, ctx: ServerContext): Promise<Response> {
  const id = c.req.param('id') ?? '';
  const form = await readPageForm(c);
  if (!form) return errorPage(400, 'Request refused', 'The form was not understood. Go back, reload the page and try again.');
  if (checkCsrf(c, ctx, form['csrf'], binding(id))) return errorPage(403, 'Request refused', 'This form could not be verified. Go back, reload the page and try again.');
  const approval = await ctx.store.approvals.get(id);
  if (!approval) return notFound();
  const user = await signedInUser(c, ctx, approval);
  if (user instanceof Response) return user;
  const about = {
    approvalId: approval.id,
    userId: approval.userId,
    orgId: approval.orgId,
    clientId: approval.clientId,
    resource: approval.resource,
    tool: approval.tool,
    argumentsSha256: approval.argumentsSha256,
    actorUserId: user.id,
  };
  if (!(await mayDecide(ctx, user, approval))) {
    await ctx.events.publish({ type: 'approval.refused', ...about, reason: 'not_an_approver' });
    return forbidden();
  }
  const choice = formField(form, 'decision');
  if (choice !== 'approve' && choice !== 'deny') return errorPage(400, 'Request refused', 'Choose Approve or Deny.');
  const decision = choice === 'approve' ? 'approved' : 'denied';
  if (!(await ctx.store.approvals.decide(approval.id, decision, user.id, ctx.clock.now()))) {
    const current = (await ctx.store.approvals.get(approval.id)) ?? approval;
    return render(c, ctx, current, 409);
  }
  await ctx.events.publish({ type: decision === 'approved' ? 'approval.approved' : 'approval.denied', ...about });
  const decided = (await ctx.store.approvals.get(approval.id)) ?? approval;
  const notice = decision === 'approved' ? 'Approved. The agent can now retry the call; it runs once.' : 'Denied. The call will not run.';
  return render(c, ctx, decided, 200, notice);
}
