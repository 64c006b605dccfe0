/**
 * Where a browser goes after signing in or up: back to its pending
 * authorization when it has one (and then only to /interaction/:id on this
 * server: there is no `?next=` forwarder to abuse), else to the approval it
 * was asked to sign in for (approval-return.ts), else a plain page.
 */
import type { Context } from 'hono';
import type { ServerContext } from '../context.ts';
import { loadPending, savePending } from '../authorize/pending.ts';
import { localRedirect } from '../authorize/redirect.ts';
import { messagePage } from '../views/message-page.ts';
import { approvalAfterLogin } from './approval-return.ts';
import { browserHash, readBrowserSecret } from './browser.ts';
import { withCookies } from './cookies.ts';

/**
 * The redirect_uri of this browser's pending authorization, for the login
 * and signup pages' CSP: when consent is already remembered, the form POST
 * ends in a redirect to the client, which form-action must allow.
 */
export async function pendingRedirectUri(c: Context, ctx: ServerContext, interactionId: unknown): Promise<string | undefined> {
  const secret = readBrowserSecret(c, ctx);
  if (typeof interactionId !== 'string' || !secret) return undefined;
  return (await loadPending(ctx, interactionId, browserHash(secret)))?.redirectUri;
}

export async function continueAfterLogin(c: Context, ctx: ServerContext, interactionId: unknown, cookies: string[]): Promise<Response> {
  const secret = readBrowserSecret(c, ctx);
  const pending = typeof interactionId === 'string' && secret ? await loadPending(ctx, interactionId, browserHash(secret)) : undefined;
  if (pending) {
    pending.loggedInAt = ctx.clock.now();
    await savePending(ctx, pending);
    return withCookies(localRedirect(`${ctx.options.issuer}/interaction/${pending.id}`, 303), cookies);
  }
  const approval = approvalAfterLogin(c, ctx);
  if (approval) return withCookies(localRedirect(approval.location, 303), [...cookies, approval.forget]);
  return withCookies(await messagePage('Signed in', 'You are signed in. You can close this window.'), cookies);
}
