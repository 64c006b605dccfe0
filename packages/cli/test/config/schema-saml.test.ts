/** The `type: saml` identity-provider entry of gatehouse.yaml: exactly one way to name the IdP, and safe defaults. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { samlIdentityProviderSchema } from '../../src/config/schema-saml.ts';

const CERT = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(120)}\n-----END CERTIFICATE-----`;

describe('config: SAML identity provider', () => {
  it('accepts metadata by URL and fills the defaults (attribute names, sha256, 60 s skew, trusted email)', () => {
    const parsed = samlIdentityProviderSchema.parse({ type: 'saml', id: 'okta', metadata_url: 'https://acme.okta.com/app/x/sso/saml/metadata' });
    expect(parsed).toMatchObject({ attributes: { email: 'email', name: 'name', groups: 'groups' }, signature_algorithm: 'sha256', clock_skew_seconds: 60, trust_email: true });
  });

  it('accepts a metadata file, or entity_id + sso_url + certificates', () => {
    expect(samlIdentityProviderSchema.safeParse({ type: 'saml', id: 'okta', metadata_file: './okta.xml' }).success).toBe(true);
    expect(
      samlIdentityProviderSchema.safeParse({ type: 'saml', id: 'entra', entity_id: 'https://sts.windows.net/t/', sso_url: 'https://login.microsoftonline.com/t/saml2', certificates: [CERT] }).success,
    ).toBe(true);
  });

  it('refuses two sources, an incomplete entity_id/sso_url/certificates triple, and no source at all', () => {
    expect(samlIdentityProviderSchema.safeParse({ type: 'saml', id: 'x', metadata_file: 'a.xml', metadata_url: 'https://idp.example/md' }).success).toBe(false);
    expect(samlIdentityProviderSchema.safeParse({ type: 'saml', id: 'x', entity_id: 'https://idp.example', sso_url: 'https://idp.example/sso' }).success).toBe(false);
    expect(samlIdentityProviderSchema.safeParse({ type: 'saml', id: 'x' }).success).toBe(false);
  });

  it('refuses SHA-1, a misspelt key, and an id that cannot be a URL segment', () => {
    expect(samlIdentityProviderSchema.safeParse({ type: 'saml', id: 'x', metadata_file: 'a.xml', signature_algorithm: 'sha1' }).success).toBe(false);
    expect(samlIdentityProviderSchema.safeParse({ type: 'saml', id: 'x', metadata_file: 'a.xml', metdata_url: 'https://x' }).success).toBe(false);
    expect(samlIdentityProviderSchema.safeParse({ type: 'saml', id: 'Okta/../x', metadata_file: 'a.xml' }).success).toBe(false);
  });

  it('is a member a discriminated union on `type` accepts (the identity_providers list), keeping its refinement', () => {
    const union = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('oidc'), id: z.string() }), samlIdentityProviderSchema]);
    expect(union.parse({ type: 'saml', id: 'okta', metadata_file: 'okta.xml' })).toMatchObject({ type: 'saml', signature_algorithm: 'sha256' });
    expect(union.safeParse({ type: 'saml', id: 'okta' }).success).toBe(false);
  });
});
