/**
 * The stored shape of an org's SAML identity provider, which is also its
 * `organizations[].identity_providers[]` entry in gatehouse.yaml
 * (`type: saml`, snake_case; the CLI's config schema reuses this object, so
 * the file and the store never disagree on a key): a SAML 2.0 IdP of one
 * organization. The IdP is described either by
 * its metadata (a file or an https URL, read when the config is applied) or
 * by its entity id, SSO URL and signing certificate(s) pasted from the IdP
 * console. This object is the `saml` member of the identity-provider
 * discriminated union (schema-identity.ts); docs/saml.md explains each key.
 */
import { z } from 'zod';

const pem = z
  .string()
  .min(100)
  .max(16_384)
  .regex(/^(-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*|[A-Za-z0-9+/=\s]+)$/, 'a PEM certificate or its bare base64 body');

export const samlAttributeNamesSchema = z
  .strictObject({
    email: z.string().min(1).max(512).default('email').describe('Attribute holding the email address (Entra ID: http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress).'),
    name: z.string().min(1).max(512).default('name').describe('Attribute holding the display name.'),
    groups: z.string().min(1).max(512).default('groups').describe('Attribute holding the groups (Entra ID: http://schemas.microsoft.com/ws/2008/06/identity/claims/groups).'),
  })
  .describe('Names of the assertion attributes Gatehouse reads; the NameID is always the subject.');

export const samlProviderSchema = z
  .strictObject({
    type: z.literal('saml'),
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -')
      .describe('The provider id in URLs: /sso/saml/<org>/<id>/metadata, /login, /acs.'),
    name: z.string().min(1).max(200).optional().describe('Shown on the sign-in button, e.g. "Okta".'),
    metadata_file: z.string().min(1).optional().describe('Path of the IdP metadata XML (entity id, SSO URL and signing certificates are read from it).'),
    metadata_url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('https URL of the IdP metadata XML, fetched when the config is applied.'),
    entity_id: z.string().min(1).max(1024).optional().describe('The IdP entity id (Issuer), when no metadata is given.'),
    sso_url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('The IdP single sign-on URL (HTTP-Redirect binding), when no metadata is given.'),
    certificates: z.array(pem).min(1).max(4).optional().describe('The IdP signing certificate(s), PEM or base64, when no metadata is given; two during a certificate rollover.'),
    attributes: samlAttributeNamesSchema.default({ email: 'email', name: 'name', groups: 'groups' }),
    signature_algorithm: z.enum(['sha256', 'sha512']).default('sha256').describe('The weakest signature and digest algorithm accepted; SHA-1 is never accepted.'),
    clock_skew_seconds: z.number().int().min(0).max(300).default(60).describe('Clock difference tolerated on NotBefore / NotOnOrAfter.'),
    trust_email: z.boolean().default(true).describe('The IdP is authoritative for the email addresses it asserts; even then an email links an existing account only on a verified domain of the org.'),
  })
  .superRefine((idp, ctx) => {
    const sources = [idp.metadata_file !== undefined, idp.metadata_url !== undefined, idp.entity_id !== undefined || idp.sso_url !== undefined || idp.certificates !== undefined].filter(
      Boolean,
    ).length;
    if (sources !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of metadata_file, metadata_url, or entity_id + sso_url + certificates' });
    if ((idp.entity_id !== undefined || idp.sso_url !== undefined || idp.certificates !== undefined) && !(idp.entity_id && idp.sso_url && idp.certificates)) {
      ctx.addIssue({ code: 'custom', message: 'entity_id, sso_url and certificates go together' });
    }
  })
  .describe('A SAML 2.0 identity provider of this organization (docs/saml.md).');

export type SamlProviderConfigInput = z.input<typeof samlProviderSchema>;
