/**
 * POST /introspect (RFC 7662 §2): registered resource servers only (401
 * otherwise, dynamically registered clients included), and each learns only
 * about tokens for the resources it serves.
 */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthErrorResponse, oauthJson } from '../http/oauth-response.ts';
import { authenticateResourceServer } from '../token/authenticate.ts';
import { readForm, requireParam } from '../token/form.ts';
import { nodeIncoming, requestHeaders } from '../http/request-headers.ts';
import { introspectToken } from './introspect.ts';
import { requesterAddress } from '../session/client-ip.ts';

export { introspectToken, INACTIVE, type IntrospectionResult, type ActiveIntrospection } from './introspect.ts';

export function mountIntrospection(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.post('/introspect', async (c) => {
    try {
      const incoming = nodeIncoming(c.env);
      const headers = requestHeaders(c.req.raw, incoming);
      const form = await readForm(c.req.raw, headers, incoming);
      const caller = await authenticateResourceServer(ctx, headers, form, requesterAddress(headers.get('x-forwarded-for'), c.env));
      const token = requireParam(form, 'token');
      return oauthJson(await introspectToken(ctx, caller, token));
    } catch (error) {
      return oauthErrorResponse(error, (message, fields) => ctx.log('error', message, fields));
    }
  });
}
