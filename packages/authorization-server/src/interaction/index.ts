/**
 * /interaction/:id: the org picker and consent screen of a pending
 * authorization. GET renders whatever the request needs next; POST handles
 * `pick_org`, `approve` and `deny`, each behind the CSRF check (403 on a
 * missing or wrong token or a foreign Origin) and only for the browser
 * that started the request.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { browserHash, readBrowserSecret } from '../session/browser.ts';
import { checkCsrf } from '../session/csrf.ts';
import { finishPending, loadPending, savePending } from '../authorize/pending.ts';
import { nextStep, servedMemberships } from '../authorize/next-step.ts';
import { errorRedirect, localRedirect } from '../authorize/redirect.ts';
import { readPageForm } from '../http/page-form.ts';
import { errorPage } from '../views/error-page.ts';
import { advance, failPending, redirectTargetOf } from './advance.ts';
import { approve } from './approve.ts';

const expired = (): Promise<Response> => errorPage(400, 'Request expired', 'This authorization request has expired or was started in another browser. Return to the application and try again.');

const formValues = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');

async function show(c: Context<AppEnv>, ctx: ServerContext): Promise<Response> {
  const secret = readBrowserSecret(c, ctx);
  const pending = await loadPending(ctx, c.req.param('id') ?? '', secret ? browserHash(secret) : undefined);
  if (!pending || !secret) return expired();
  return advance(c, ctx, pending, 'interaction', secret);
}

async function act(c: Context<AppEnv>, ctx: ServerContext): Promise<Response> {
  const id = c.req.param('id') ?? '';
  const form = await readPageForm(c);
  if (!form) return errorPage(400, 'Request refused', 'The form was not understood. Go back, reload the page and try again.');
  const failure = checkCsrf(c, ctx, form['csrf'], id);
  if (failure) {
    ctx.log('warn', 'interaction: CSRF check failed', { reason: failure });
    return errorPage(403, 'Request refused', 'This form could not be verified. Go back, reload the page and try again.');
  }
  const secret = readBrowserSecret(c, ctx);
  const pending = await loadPending(ctx, id, secret ? browserHash(secret) : undefined);
  if (!pending) return expired();
  const interactionUrl = `${ctx.options.issuer}/interaction/${pending.id}`;
  let step;
  try {
    step = await nextStep(c, ctx, pending);
  } catch (error) {
    return failPending(ctx, pending, error, 303);
  }
  // Nothing is decided for someone who is not signed in (RFC 9700 §4.11.2: authenticate before any redirect).
  if (step.kind === 'login') return localRedirect(`${ctx.options.issuer}/login?interaction=${pending.id}`, 303);
  const action = form['action'];
  if (action === 'pick_org') {
    const orgId = form['org'];
    // Only orgs the resource serves can be picked, whatever a forged form names.
    const memberships = await servedMemberships(ctx, pending, step.active.user.id);
    if (typeof orgId !== 'string' || !memberships.some((m) => m.orgId === orgId)) {
      return errorPage(400, 'Choose an organization', 'Pick one of your organizations.');
    }
    pending.org = { userId: step.active.user.id, orgId };
    await savePending(ctx, pending);
    return localRedirect(interactionUrl, 303);
  }
  if (action === 'deny') {
    await finishPending(ctx, pending.id);
    return errorRedirect(redirectTargetOf(ctx, pending), 'access_denied', 'The user denied the request.', 303);
  }
  if (action === 'approve') {
    if (step.kind === 'pick_org') return localRedirect(interactionUrl, 303);
    // The screen names the org it was shown for; if the choice changed since (another tab), show the current screen again.
    if (form['org'] !== undefined && form['org'] !== (step.consent.orgId ?? '')) return localRedirect(interactionUrl, 303);
    return approve(ctx, pending, step, formValues(form['scope']));
  }
  return errorPage(400, 'Unknown action', 'The form was not understood.');
}

export function mountInteraction(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/interaction/:id', (c) => show(c, ctx));
  app.post('/interaction/:id', (c) => act(c, ctx));
}
