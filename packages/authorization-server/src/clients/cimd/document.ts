/**
 * Validates a fetched Client ID Metadata Document and turns it into a
 * Client (draft-ietf-oauth-client-id-metadata-document §4, §8; MCP
 * 2025-11-25+). The document's `client_id` must equal the URL it was
 * fetched from by simple string comparison. Metadata-document clients are
 * public: shared secrets and secret-based auth methods are refused, and a
 * `jwks` carrying any private key member is refused outright.
 */
import { z } from 'zod';
import type { Client } from '@gatehouse-auth/core';
import { clientNameField, describeIssue, firstRedirectUriProblem, grantTypesField, httpsUrl, inferApplicationType, redirectUrisField, responseTypesField, scopeField } from '../metadata-fields.ts';

const jwkSchema = z.record(z.string(), z.unknown());

/**
 * Every private member a JWK can carry (RFC 7518 §6.2.2 EC and §6.3.2 RSA: `d`, `p`, `q`, `dp`, `dq`,
 * `qi`, `oth`; §6.4.1 symmetric `k`; RFC 8037 OKP `d`). A document is public: any of them means a
 * key was published that must not have been (issue 10 #13: the check looked only at `d`).
 */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const documentSchema = z.looseObject({
  client_id: z.string(),
  client_name: clientNameField,
  redirect_uris: redirectUrisField,
  token_endpoint_auth_method: z.string().optional(),
  grant_types: grantTypesField.optional(),
  response_types: responseTypesField.optional(),
  application_type: z.enum(['native', 'web']).optional(),
  scope: scopeField.optional(),
  logo_uri: httpsUrl.optional(),
  client_uri: httpsUrl.optional(),
  policy_uri: httpsUrl.optional(),
  tos_uri: httpsUrl.optional(),
  jwks: z.object({ keys: z.array(jwkSchema) }).optional(),
});

export type DocumentCheck = { ok: true; client: Client } | { ok: false; reason: string };

export function clientFromDocument(url: string, body: unknown, times: { now: number; expiresAt: number; createdAt: number }): DocumentCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'document is not a JSON object' };
  const raw = body as Record<string, unknown>;
  if ('client_secret' in raw || 'client_secret_expires_at' in raw) return { ok: false, reason: 'document must not contain a client_secret' };
  const parsed = documentSchema.safeParse(body);
  if (!parsed.success) return { ok: false, reason: describeIssue(parsed.error) };
  const doc = parsed.data;
  // §4: simple string comparison, no normalisation.
  if (doc.client_id !== url) return { ok: false, reason: 'document client_id does not equal its URL' };
  const method = doc.token_endpoint_auth_method ?? 'none';
  if (method.startsWith('client_secret_')) return { ok: false, reason: 'shared-secret authentication is not allowed for metadata documents' };
  if (method !== 'none') return { ok: false, reason: `token_endpoint_auth_method ${method} is not supported` };
  if (doc.jwks?.keys.some((key) => PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(key, member)))) return { ok: false, reason: 'jwks contains a private key' };
  if (doc.grant_types && !doc.grant_types.includes('authorization_code')) return { ok: false, reason: 'grant_types must include authorization_code' };
  const problem = firstRedirectUriProblem(doc.redirect_uris);
  if (problem) return { ok: false, reason: problem };
  return {
    ok: true,
    client: {
      id: url,
      kind: 'metadata_document',
      name: doc.client_name,
      redirectUris: doc.redirect_uris,
      grantTypes: doc.grant_types ?? ['authorization_code'],
      tokenEndpointAuthMethod: 'none',
      secretHash: null,
      applicationType: doc.application_type ?? inferApplicationType(doc.redirect_uris),
      logoUri: doc.logo_uri ?? null,
      clientUri: doc.client_uri ?? null,
      policyUri: doc.policy_uri ?? null,
      tosUri: doc.tos_uri ?? null,
      scope: doc.scope ?? null,
      orgId: null,
      roles: [],
      // A metadata document can never make its client a resource server (introspection, revocation stream).
      resourceServerFor: [],
      status: 'active',
      registrationAccessTokenHash: null,
      metadataExpiresAt: times.expiresAt,
      createdAt: times.createdAt,
      updatedAt: times.now,
    },
  };
}
