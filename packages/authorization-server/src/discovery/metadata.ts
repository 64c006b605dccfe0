/**
 * The authorization server metadata (RFC 8414 §2) and a minimal OpenID
 * Provider configuration for clients that probe OIDC Discovery first (MCP
 * 2025-11-25+). Gatehouse issues no ID tokens; the OIDC document carries the
 * fields OpenID Discovery 1.0 §3 marks REQUIRED so that strict parsers
 * accept it, plus `code_challenge_methods_supported` (MCP: MUST).
 */
import type { ServerContext } from '../context.ts';
import { endpointUrl } from './issuer-paths.ts';

export type AuthorizationServerMetadata = Record<string, unknown> & { issuer: string };

export async function authorizationServerMetadata(ctx: ServerContext): Promise<AuthorizationServerMetadata> {
  const { issuer, dynamicRegistration, cimd } = ctx.options;
  const catalogue = await ctx.store.scopes.list();
  const scopes = [...new Set([...catalogue.map((scope) => scope.name), 'offline_access'])];
  const clientAuth = ['none', 'client_secret_basic', 'client_secret_post'];
  return {
    issuer,
    authorization_endpoint: endpointUrl(issuer, '/authorize'),
    token_endpoint: endpointUrl(issuer, '/token'),
    ...(dynamicRegistration.enabled ? { registration_endpoint: endpointUrl(issuer, '/register') } : {}),
    introspection_endpoint: endpointUrl(issuer, '/introspect'),
    revocation_endpoint: endpointUrl(issuer, '/revoke'),
    jwks_uri: endpointUrl(issuer, '/jwks.json'),
    scopes_supported: scopes,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: clientAuth,
    // RFC 7662 §2.1: introspection needs an authenticated (confidential) caller.
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    // RFC 7009 §2.1: public clients may revoke their own tokens with client_id alone.
    revocation_endpoint_auth_methods_supported: clientAuth,
    code_challenge_methods_supported: ['S256'],
    client_id_metadata_document_supported: cimd.enabled,
    // RFC 9207: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
  };
}

export async function openIdConfiguration(ctx: ServerContext): Promise<AuthorizationServerMetadata> {
  const metadata = await authorizationServerMetadata(ctx);
  return {
    ...metadata,
    subject_types_supported: ['public'],
    // REQUIRED by OIDC Discovery §3 (RS256 MUST be listed); no ID token is ever issued.
    id_token_signing_alg_values_supported: ['RS256'],
  };
}
