/**
 * A complete `Client` record for tests: a pre-registered public client with
 * every optional field empty. Tests spread their own fields over it, so a
 * field added to `Client` is defaulted in one place.
 */
import type { Client } from '@gatehouse-auth/core';

export function clientRecord(fields: Partial<Client> & Pick<Client, 'id'>): Client {
  return {
    kind: 'preregistered',
    name: fields.id,
    redirectUris: [],
    grantTypes: ['authorization_code', 'refresh_token'],
    tokenEndpointAuthMethod: 'none',
    secretHash: null,
    applicationType: 'web',
    logoUri: null,
    clientUri: null,
    policyUri: null,
    tosUri: null,
    scope: null,
    orgId: null,
    roles: [],
    resourceServerFor: [],
    status: 'active',
    registrationAccessTokenHash: null,
    metadataExpiresAt: null,
    createdAt: 0,
    updatedAt: 0,
    ...fields,
  };
}
