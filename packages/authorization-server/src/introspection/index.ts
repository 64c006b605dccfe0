/** POST /introspect (RFC 7662 §2): authenticated confidential clients only (401 otherwise). */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthErrorResponse, oauthJson } from '../http/oauth-response.ts';
import { authenticateConfidential } from '../token/authenticate.ts';
import { nodeIncoming, readForm, requireParam } from '../token/form.ts';
import { introspectToken } from './introspect.ts';

export { introspectToken, INACTIVE, type IntrospectionResult, type ActiveIntrospection } from './introspect.ts';

export function mountIntrospection(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.post('/introspect', async (c) => {
    try {
      const form = await readForm(c.req.raw, nodeIncoming(c.env));
      const caller = await authenticateConfidential(ctx, c.req.raw, form);
      const token = requireParam(form, 'token');
      return oauthJson(await introspectToken(ctx, caller, token));
    } catch (error) {
      return oauthErrorResponse(error, (message, fields) => ctx.log('error', message, fields));
    }
  });
}
