/**
 * The person in a verified assertion, as a FederatedIdentity: NameID is the
 * stable subject; email, name and groups come from the attribute names the
 * provider is configured with (IdPs name them differently, docs/saml.md).
 */
import type { FederatedIdentity } from '../federated-identity.ts';
import { SamlRejected } from './rejection.ts';
import type { SamlProviderSettings } from './settings.ts';

type Attributes = Record<string, unknown>;

const strings = (value: unknown): string[] => {
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  // Attribute values with child elements arrive as objects: not a name, an address or a group.
  return values
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter((v) => v !== '');
};

export function identityFromProfile(settings: SamlProviderSettings, profile: { nameID?: unknown; attributes?: unknown }): FederatedIdentity {
  const subject = typeof profile.nameID === 'string' ? profile.nameID.trim() : '';
  if (subject === '') throw new SamlRejected('no_subject', 'the assertion has no NameID');
  const attributes = (profile.attributes && typeof profile.attributes === 'object' ? profile.attributes : {}) as Attributes;
  const read = (name: string): string[] => (Object.hasOwn(attributes, name) ? strings(attributes[name]) : []);
  const email = read(settings.attributes.email)[0]?.toLowerCase();
  const name = read(settings.attributes.name)[0];
  return {
    protocol: 'saml',
    org: settings.org,
    provider: settings.provider,
    subject,
    email,
    emailVerified: email !== undefined && settings.trustEmail,
    name,
    groups: [...new Set(read(settings.attributes.groups))],
  };
}
