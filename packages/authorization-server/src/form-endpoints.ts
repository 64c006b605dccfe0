/**
 * The OAuth form endpoints a server may answer from Node's request
 * directly, without Hono (packages/cli server/oauth-listener.ts): the
 * token endpoint and introspection, the hot paths of agents and resource
 * servers. Their Hono routes call the same functions, so either way a
 * request gets the same answer; everything around them (body limit,
 * security headers) comes with the answer or from bodyLimitOf.
 */
import type { ServerContext } from './context.ts';
import type { EndpointRequest } from './http/endpoint-request.ts';
import type { OAuthAnswer } from './http/oauth-response.ts';
import { answerIntrospectionRequest } from './introspection/index.ts';
import { answerTokenRequest } from './token/index.ts';

export type FormEndpoint = (ctx: ServerContext, request: EndpointRequest) => Promise<OAuthAnswer>;

/** POST path → its answer. The paths are the root ones the app mounts. */
export const FORM_ENDPOINTS: ReadonlyMap<string, FormEndpoint> = new Map([
  ['/token', answerTokenRequest],
  ['/introspect', answerIntrospectionRequest],
]);

export { bodyLimitOf } from './http/body-limit.ts';
export { nodeEndpointRequest, type EndpointRequest } from './http/endpoint-request.ts';
export type { OAuthAnswer } from './http/oauth-response.ts';
