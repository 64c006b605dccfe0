export { createAuthorizationServerApp } from './app.ts';
export type { ServerContext, AppEnv } from './context.ts';
export { resolveOptions, DEFAULT_OPTIONS, type AuthorizationServerOptions, type PartialOptions } from './options.ts';
export { oauthJson, oauthErrorResponse } from './http/oauth-response.ts';
export { revokeGrant, revokeUserTokens, disableUser, disableClient, removeMember, setMemberRoles, type RevocationOutcome } from './admin/revocation.ts';
export { rotateSigningKey, ensureSigningKey, activeSigningKey } from './keys/index.ts';
export { authenticateClient, resolveClient, type ClientAuthInput } from './clients/index.ts';
export { mountOrgAdminApp, isOrgAdmin, ORG_ADMIN_PERMISSION } from './admin/org-admin.ts';
