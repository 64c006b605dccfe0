export { createAuthorizationServerApp } from './app.ts';
export type { ServerContext, AppEnv } from './context.ts';
export { resolveOptions, DEFAULT_OPTIONS, type AuthorizationServerOptions, type PartialOptions } from './options.ts';
export { oauthJson, oauthErrorResponse } from './http/oauth-response.ts';
export { revokeGrant, revokeUserTokens, disableUser, disableClient, removeMember, setMemberRoles, type RevocationOutcome } from './admin/revocation.ts';
export { rotateClientSecret, type RotatedSecret } from './admin/client-secret.ts';
export { blockClient, allowClient, removeClientRule, setClientPolicyMode, describePolicy, ruleTarget, type RuleTarget, type ControlContext } from './admin/client-control.ts';
export { rotateSigningKey, ensureSigningKey } from './keys/index.ts';
