/**
 * The `saml` member of `organizations[].identity_providers[]` (issue 13):
 * the authorization server's own schema of a stored SAML provider, so the
 * file and the store agree. schema-identity.ts puts it in the union on `type`.
 */
export { samlProviderSchema as samlIdentityProviderSchema } from '@gatehouse-auth/authorization-server';
