/** The client information response (RFC 7591 §3.2.1, RFC 7592 §3): every registered field, secrets only when just issued. */
import type { Client } from '@gatehouse-auth/core';
import { seconds } from '@gatehouse-auth/core';

export function clientInformation(client: Client, issued: { secret?: string | null; registrationAccessToken?: string; registrationClientUri: string }): Record<string, unknown> {
  return {
    client_id: client.id,
    client_id_issued_at: seconds(client.createdAt),
    ...(issued.secret ? { client_secret: issued.secret, client_secret_expires_at: 0 } : {}),
    ...(issued.registrationAccessToken ? { registration_access_token: issued.registrationAccessToken } : {}),
    registration_client_uri: issued.registrationClientUri,
    client_name: client.name,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    response_types: ['code'],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    application_type: client.applicationType,
    ...(client.clientUri ? { client_uri: client.clientUri } : {}),
    ...(client.logoUri ? { logo_uri: client.logoUri } : {}),
    ...(client.policyUri ? { policy_uri: client.policyUri } : {}),
    ...(client.tosUri ? { tos_uri: client.tosUri } : {}),
    ...(client.scope ? { scope: client.scope } : {}),
  };
}
