/**
 * The RFC 7591 §2 registration request, parsed at the boundary. Unknown
 * fields are ignored (§2: "the authorization server MUST ignore any client
 * metadata sent by the client that it does not understand"); `client_id`
 * and `client_secret` in a request are among them: the server chooses both.
 */
import { z } from 'zod';
import { clientNameField, grantTypesField, httpsUrl, redirectUrisField, responseTypesField, scopeField } from '../metadata-fields.ts';

export const registrationRequestSchema = z.looseObject({
  redirect_uris: redirectUrisField,
  token_endpoint_auth_method: z.enum(['none', 'client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  grant_types: grantTypesField.default(['authorization_code']),
  response_types: responseTypesField.default(['code']),
  // MCP 2026-07-28 (SEP-837): clients MUST send it; 2025 clients do not, so absence is inferred from the redirect URIs.
  application_type: z.enum(['native', 'web']).optional(),
  client_name: clientNameField.optional(),
  client_uri: httpsUrl.optional(),
  logo_uri: httpsUrl.optional(),
  policy_uri: httpsUrl.optional(),
  tos_uri: httpsUrl.optional(),
  scope: scopeField.optional(),
});

export type RegistrationRequest = z.infer<typeof registrationRequestSchema>;
