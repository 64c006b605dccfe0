export { createAuthorizationServerApp } from './app.ts';
export type { ServerContext, AppEnv } from './context.ts';
export { resolveOptions, DEFAULT_OPTIONS, type AuthorizationServerOptions, type PartialOptions } from './options.ts';
export { oauthJson, oauthErrorResponse } from './http/oauth-response.ts';
