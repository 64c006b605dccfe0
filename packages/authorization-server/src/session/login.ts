/**
 * GET/POST /login: email and password. Every attempt is throttled per
 * account and per IP before the password is looked at; unknown emails cost
 * the same argon2 verification as known ones; failures say the same thing
 * whatever went wrong. Events carry the email and reason, never a password.
 */
import type { Context } from 'hono';
import type { ServerContext } from '../context.ts';
import { htmlResponse } from '../views/layout.ts';
import { loginPage } from '../views/login-page.ts';
import { readPageForm } from '../http/page-form.ts';
import { errorPage } from '../views/error-page.ts';
import { loadPending } from '../authorize/pending.ts';
import { browserHash, ensureBrowserBinding, readBrowserSecret } from './browser.ts';
import { withCookies } from './cookies.ts';
import { checkCsrf, csrfToken } from './csrf.ts';
import { currentSession, startSession } from './current-session.ts';
import { verifyPassword } from './password.ts';
import { clearAccountAttempts, countLoginAttempt } from './throttle.ts';
import { clientIp } from './client-ip.ts';
import { isEmailAddress } from './email.ts';
import { continueAfterLogin } from './continue.ts';
import { routeEmail, type SsoRoute } from '../federation/routing.ts';
import { providerLabel, signInStartPath } from '../federation/providers.ts';

const WRONG = 'Wrong email or password.';

async function renderForm(
  c: Context,
  ctx: ServerContext,
  status: number,
  extra: { email?: string; error?: string; interactionId?: string | undefined; headers?: Record<string, string>; step?: 'email' | 'password'; sso?: SsoRoute | undefined },
): Promise<Response> {
  const binding = ensureBrowserBinding(c, ctx);
  const policy = await ctx.store.settings.getSignupPolicy();
  const { sso, ...rest } = extra;
  const page = loginPage({ issuer: ctx.options.issuer, csrf: csrfToken(binding.secret, 'login'), signupOpen: policy.publicSignup, ...rest, sso: sso && ssoChoice(ctx, sso, extra.interactionId) });
  // Signing in may end in a redirect to the client (consent already given): the form's CSP must allow it.
  const pending = extra.interactionId ? await loadPending(ctx, extra.interactionId, browserHash(binding.secret)) : undefined;
  const response = await htmlResponse(status, page, { ...(pending ? { redirectUri: pending.redirectUri } : {}), ...(extra.headers ? { headers: extra.headers } : {}) });
  return withCookies(response, binding.setCookie ? [binding.setCookie] : []);
}

/** The identity providers of the org an email routes to, as links to their sign-in start. */
function ssoChoice(ctx: ServerContext, route: SsoRoute, interactionId: string | undefined) {
  const query = interactionId ? `?interaction=${encodeURIComponent(interactionId)}` : '';
  return {
    orgName: route.org.name,
    providers: route.providers.map((p) => ({ label: providerLabel(p), href: `${ctx.options.issuer}${signInStartPath(route.org.slug, p)}${query}` })),
    passwordAllowed: !route.enforceSso,
  };
}

/**
 * The email step: an email of an org's verified domain goes to that org's
 * identity providers; every other email to the password step (which says
 * nothing about whether the account exists).
 */
async function routeLogin(c: Context, ctx: ServerContext, typed: string, interactionId: string | undefined): Promise<Response> {
  const route = isEmailAddress(typed) ? await routeEmail(ctx, typed) : undefined;
  return renderForm(c, ctx, 200, { email: typed, interactionId, step: 'password', sso: route });
}

export async function showLogin(c: Context, ctx: ServerContext): Promise<Response> {
  return renderForm(c, ctx, 200, { interactionId: c.req.query('interaction') });
}

export async function submitLogin(c: Context, ctx: ServerContext): Promise<Response> {
  const form = await readPageForm(c);
  if (!form) return errorPage(400, 'Request refused', 'The form was not understood. Go back, reload the page and try again.');
  const failure = checkCsrf(c, ctx, form['csrf'], 'login');
  if (failure || !readBrowserSecret(c, ctx)) return errorPage(403, 'Request refused', 'This form could not be verified. Go back, reload the page and try again.');
  const interactionId = typeof form['interaction'] === 'string' ? form['interaction'] : undefined;
  const typed = typeof form['email'] === 'string' ? form['email'].trim().toLowerCase() : '';
  if (form['password'] === undefined) return routeLogin(c, ctx, typed, interactionId);
  const password = typeof form['password'] === 'string' ? form['password'] : '';
  const ip = clientIp(c);
  const userAgent = c.req.header('user-agent');
  const user = typed ? await ctx.store.users.getByEmail(typed) : undefined;
  // Only an email address is ever recorded or keyed by (issue 10 #11): a password typed into the email
  // field must reach neither the audit log nor the rate-limit table.
  const email = user || isEmailAddress(typed) ? typed : undefined;
  const who = email === undefined ? {} : { email };
  const throttle = await countLoginAttempt(ctx, email, ip);
  if (throttle.blocked) {
    await ctx.events.publish({ type: 'login.failed', ...who, ip, ...(userAgent ? { userAgent } : {}), reason: 'throttled' });
    return renderForm(c, ctx, 429, {
      email: typed,
      interactionId,
      step: 'password',
      error: 'Too many sign-in attempts. Wait a minute and try again.',
      headers: { 'retry-after': String(throttle.retryAfterSeconds) },
    });
  }
  // Issue 13: an org that enforces SSO never lets its domain's people in by password (checked here, not only on the page).
  const route = email === undefined ? undefined : await routeEmail(ctx, email);
  if (route?.enforceSso) {
    await ctx.events.publish({ type: 'login.failed', ...who, ...(user ? { userId: user.id } : {}), ip, ...(userAgent ? { userAgent } : {}), reason: 'sso_enforced' });
    return renderForm(c, ctx, 400, { email: typed, interactionId, sso: route, error: `${route.org.name} requires signing in through its identity provider.` });
  }
  const passwordOk = await verifyPassword(user?.passwordHash, password);
  if (!user || !passwordOk || user.status !== 'active') {
    const reason = !user ? (email === undefined ? 'not_an_email' : 'unknown_email') : !passwordOk ? 'wrong_password' : 'user_disabled';
    await ctx.events.publish({ type: 'login.failed', ...who, ...(user ? { userId: user.id } : {}), ip, ...(userAgent ? { userAgent } : {}), reason });
    return renderForm(c, ctx, 400, { email: typed, interactionId, step: 'password', error: WRONG });
  }
  await clearAccountAttempts(ctx, typed, ip);
  // A fresh session id on every login (session fixation); the old one ends.
  const previous = await currentSession(c, ctx);
  if (previous) await ctx.store.sessions.revoke(previous.session.id, ctx.clock.now());
  const { setCookie } = await startSession(ctx, user);
  await ctx.events.publish({ type: 'login.succeeded', email: user.email, userId: user.id, ip, ...(userAgent ? { userAgent } : {}) });
  return continueAfterLogin(c, ctx, interactionId, [setCookie]);
}
