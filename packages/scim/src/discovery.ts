/**
 * What the service provider supports (RFC 7644 §4, RFC 7643 §5–7), so a
 * directory can find out before it provisions: PATCH and filters yes
 * (200 results per page at most), ETags yes, bulk, sort and password
 * change no; one authentication scheme, the org's bearer token.
 */
import { URN } from './wire.ts';

export const MAX_RESULTS = 200;

export function serviceProviderConfig(base: string): Record<string, unknown> {
  return {
    schemas: [URN.serviceProviderConfig],
    documentationUri: 'https://github.com/gatehouse-auth/gatehouse/blob/main/docs/scim.md',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: "The organization's SCIM token (gatehouse scim token create)", primary: true }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string): Record<string, unknown>[] {
  return [
    {
      schemas: [URN.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A person in the organization',
      schema: URN.user,
      schemaExtensions: [{ schema: URN.enterpriseUser, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [URN.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A directory group; mapped to organization roles',
      schema: URN.group,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

const attr = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const multi = (name: string, subAttributes: Record<string, unknown>[]) => attr(name, { type: 'complex', multiValued: true, subAttributes });

export function schemas(base: string): Record<string, unknown>[] {
  return [
    {
      schemas: [URN.schema],
      id: URN.user,
      name: 'User',
      description: 'User Account',
      attributes: [
        attr('userName', { required: true, uniqueness: 'server' }),
        attr('externalId', { caseExact: true }),
        attr('name', {
          type: 'complex',
          subAttributes: [attr('formatted'), attr('familyName'), attr('givenName')],
        }),
        attr('displayName'),
        attr('active', { type: 'boolean' }),
        multi('emails', [attr('value'), attr('type'), attr('primary', { type: 'boolean' })]),
        multi('groups', [attr('value', { mutability: 'readOnly' }), attr('display', { mutability: 'readOnly' })]),
      ],
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${URN.user}` },
    },
    {
      schemas: [URN.schema],
      id: URN.group,
      name: 'Group',
      description: 'Group',
      attributes: [
        attr('displayName', { required: true, uniqueness: 'server' }),
        attr('externalId', { caseExact: true }),
        multi('members', [attr('value', { caseExact: true, mutability: 'immutable' }), attr('display')]),
      ],
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${URN.group}` },
    },
  ];
}
