/**
 * GET/POST /signup, governed by store.settings.getSignupPolicy(): when
 * public signup is off the pages do not exist (404); when domains are
 * listed, only addresses at those domains may register (403). Attempts are
 * counted per IP with the login IP limit. A taken email gets the same
 * answer as any other refusal, so signup cannot probe for accounts.
 */
import type { Context } from 'hono';
import { newId, type User } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { htmlResponse } from '../views/layout.ts';
import { signupPage } from '../views/signup-page.ts';
import { readPageForm } from '../http/page-form.ts';
import { errorPage } from '../views/error-page.ts';
import { ensureBrowserBinding } from './browser.ts';
import { withCookies } from './cookies.ts';
import { checkCsrf, csrfToken } from './csrf.ts';
import { startSession } from './current-session.ts';
import { acceptablePassword, hashPassword } from './password.ts';
import { clientIp } from './client-ip.ts';
import { EMAIL_ADDRESS } from './email.ts';
import { continueAfterLogin, pendingRedirectUri } from './continue.ts';

const notFound = (): Promise<Response> => errorPage(404, 'Not found', 'Self-service sign-up is not available. Ask your administrator for an account.');

async function renderForm(
  c: Context,
  ctx: ServerContext,
  status: number,
  domains: string[],
  extra: { name?: string; email?: string; error?: string; interactionId?: string | undefined },
): Promise<Response> {
  const binding = ensureBrowserBinding(c, ctx);
  const page = signupPage({ issuer: ctx.options.issuer, csrf: csrfToken(binding.secret, 'signup'), allowedDomains: domains, ...extra });
  const redirectUri = await pendingRedirectUri(c, ctx, extra.interactionId);
  return withCookies(await htmlResponse(status, page, redirectUri ? { redirectUri } : {}), binding.setCookie ? [binding.setCookie] : []);
}

export async function showSignup(c: Context, ctx: ServerContext): Promise<Response> {
  const policy = await ctx.store.settings.getSignupPolicy();
  if (!policy.publicSignup) return notFound();
  return renderForm(c, ctx, 200, policy.allowedEmailDomains, { interactionId: c.req.query('interaction') });
}

export async function submitSignup(c: Context, ctx: ServerContext): Promise<Response> {
  const policy = await ctx.store.settings.getSignupPolicy();
  if (!policy.publicSignup) return notFound();
  const form = await readPageForm(c);
  if (!form) return errorPage(400, 'Request refused', 'The form was not understood. Go back, reload the page and try again.');
  if (checkCsrf(c, ctx, form['csrf'], 'signup')) return errorPage(403, 'Request refused', 'This form could not be verified. Go back, reload the page and try again.');
  const interactionId = typeof form['interaction'] === 'string' ? form['interaction'] : undefined;
  const name = typeof form['name'] === 'string' ? form['name'].trim() : '';
  const email = typeof form['email'] === 'string' ? form['email'].trim().toLowerCase() : '';
  const password = typeof form['password'] === 'string' ? form['password'] : '';
  const domains = policy.allowedEmailDomains;
  const { windowSeconds, perIp } = ctx.options.loginThrottle;
  const hits = await ctx.store.rateLimits.hit(`signup:ip:${clientIp(c)}`, windowSeconds * 1000, ctx.clock.now());
  if (hits > perIp) return errorPage(429, 'Too many attempts', 'Too many sign-up attempts. Wait a minute and try again.');
  const domain = email.length <= 254 ? EMAIL_ADDRESS.exec(email)?.[1] : undefined;
  if (!domain || !name || name.length > 200) return renderForm(c, ctx, 400, domains, { name, email, interactionId, error: 'Enter your name and a valid email address.' });
  if (domains.length > 0 && !domains.includes(domain)) {
    return renderForm(c, ctx, 403, domains, { name, email, interactionId, error: 'Sign-up is not open to this email domain.' });
  }
  if (!acceptablePassword(password)) return renderForm(c, ctx, 400, domains, { name, email, interactionId, error: 'Choose a password of at least 10 characters.' });
  const passwordHash = await hashPassword(password);
  if (await ctx.store.users.getByEmail(email)) {
    return renderForm(c, ctx, 400, domains, { name, email, interactionId, error: 'An account could not be created with these details. If you already have one, sign in.' });
  }
  const now = ctx.clock.now();
  const user: User = { id: newId('usr'), email, name, passwordHash, status: 'active', createdAt: now, updatedAt: now };
  await ctx.store.users.create(user);
  await ctx.events.publish({ type: 'user.created', userId: user.id, actor: { kind: 'user', id: user.id } });
  const { setCookie } = await startSession(ctx, user);
  return continueAfterLogin(c, ctx, interactionId, [setCookie]);
}
