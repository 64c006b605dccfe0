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

const WRONG = 'Wrong email or password.';

async function renderForm(
  c: Context,
  ctx: ServerContext,
  status: number,
  extra: { email?: string; error?: string; interactionId?: string | undefined; headers?: Record<string, string> },
): Promise<Response> {
  const binding = ensureBrowserBinding(c, ctx);
  const policy = await ctx.store.settings.getSignupPolicy();
  const page = loginPage({ issuer: ctx.options.issuer, csrf: csrfToken(binding.secret, 'login'), signupOpen: policy.publicSignup, ...extra });
  // Signing in may end in a redirect to the client (consent already given): the form's CSP must allow it.
  const pending = extra.interactionId ? await loadPending(ctx, extra.interactionId, browserHash(binding.secret)) : undefined;
  const response = await htmlResponse(status, page, { ...(pending ? { redirectUri: pending.redirectUri } : {}), ...(extra.headers ? { headers: extra.headers } : {}) });
  return withCookies(response, binding.setCookie ? [binding.setCookie] : []);
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
    return renderForm(c, ctx, 429, { email: typed, interactionId, error: 'Too many sign-in attempts. Wait a minute and try again.', headers: { 'retry-after': String(throttle.retryAfterSeconds) } });
  }
  const passwordOk = await verifyPassword(user?.passwordHash, password);
  if (!user || !passwordOk || user.status !== 'active') {
    const reason = !user ? (email === undefined ? 'not_an_email' : 'unknown_email') : !passwordOk ? 'wrong_password' : 'user_disabled';
    await ctx.events.publish({ type: 'login.failed', ...who, ...(user ? { userId: user.id } : {}), ip, ...(userAgent ? { userAgent } : {}), reason });
    return renderForm(c, ctx, 400, { email: typed, interactionId, error: WRONG });
  }
  await clearAccountAttempts(ctx, typed, ip);
  // A fresh session id on every login (session fixation); the old one ends.
  const previous = await currentSession(c, ctx);
  if (previous) await ctx.store.sessions.revoke(previous.session.id, ctx.clock.now());
  const { setCookie } = await startSession(ctx, user);
  await ctx.events.publish({ type: 'login.succeeded', email: user.email, userId: user.id, ip, ...(userAgent ? { userAgent } : {}) });
  return continueAfterLogin(c, ctx, interactionId, [setCookie]);
}
