/** POST /logout: ends the login session (CSRF-checked: a cross-site POST cannot sign people out). */
import type { Context } from 'hono';
import type { ServerContext } from '../context.ts';
import { readPageForm } from '../http/page-form.ts';
import { errorPage } from '../views/error-page.ts';
import { messagePage } from '../views/message-page.ts';
import { checkCsrf } from './csrf.ts';
import { clearSessionCookie, currentSession } from './current-session.ts';

export async function submitLogout(c: Context, ctx: ServerContext): Promise<Response> {
  const form = await readPageForm(c);
  if (!form) return errorPage(400, 'Request refused', 'The form was not understood. Go back, reload the page and try again.');
  if (checkCsrf(c, ctx, form['csrf'], 'logout')) return errorPage(403, 'Request refused', 'This form could not be verified.');
  const active = await currentSession(c, ctx);
  if (active) {
    await ctx.store.sessions.revoke(active.session.id, ctx.clock.now());
    await ctx.events.publish({ type: 'logout', userId: active.user.id });
  }
  return messagePage('Signed out', 'You are signed out.', { 'set-cookie': clearSessionCookie(ctx) });
}
