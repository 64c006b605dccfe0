export { createAuthorizationServerApp } from './app.ts';
export type { ServerContext, AppEnv } from './context.ts';
export { cacheStats, type CacheStats, type CacheCounter } from './cache-stats.ts';
export { resolveOptions, DEFAULT_OPTIONS, type AuthorizationServerOptions, type PartialOptions } from './options.ts';
export { oauthJson, oauthErrorResponse } from './http/oauth-response.ts';
export { revokeGrant, revokeUserTokens, disableUser, disableClient, removeMember, setMemberRoles, type RevocationOutcome } from './admin/revocation.ts';
export { rotateSigningKey, ensureSigningKey } from './keys/index.ts';
