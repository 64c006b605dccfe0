/**
 * POST /introspect (RFC 7662 §2): registered resource servers only (401
 * otherwise, dynamically registered clients included), and each learns only
 * about tokens for the resources it serves.
 */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { answerResponse, oauthAnswer, oauthErrorAnswer, type OAuthAnswer } from '../http/oauth-response.ts';
import { authenticateResourceServer } from '../token/authenticate.ts';
import { readEndpointForm, requireParam } from '../token/form.ts';
import { honoEndpointRequest, type EndpointRequest } from '../http/endpoint-request.ts';
import { introspectToken } from './introspect.ts';
import { requesterAddress } from '../session/client-ip.ts';

export { introspectToken, INACTIVE, type IntrospectionResult, type ActiveIntrospection } from './introspect.ts';

/** POST /introspect's whole answer, errors included: the Hono route and the server's node-level route both call this. */
export async function answerIntrospectionRequest(ctx: ServerContext, request: EndpointRequest): Promise<OAuthAnswer> {
  let clientId: string | undefined;
  let answer: OAuthAnswer;
  try {
    const { headers } = request;
    const form = await readEndpointForm(request);
    const caller = await authenticateResourceServer(ctx, headers, form, () => requesterAddress(headers.get('x-forwarded-for'), request.bindings));
    clientId = caller.id;
    const token = requireParam(form, 'token');
    answer = oauthAnswer(await introspectToken(ctx, caller, token));
  } catch (error) {
    const log = request.log ?? ctx.log;
    answer = oauthErrorAnswer(error, (message, fields) => log('error', message, fields));
  }
  if (clientId !== undefined) answer.clientId = clientId;
  return answer;
}

export function mountIntrospection(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.post('/introspect', async (c) => answerResponse(await answerIntrospectionRequest(ctx, honoEndpointRequest(c))));
}
