/**
 * The stored shape of an org's OIDC identity provider (snake_case, as in
 * gatehouse.yaml; the config file and the setup link both store it), parsed
 * at the boundary. The CLI's config schema reuses it, so the file and the
 * store can never disagree on a key.
 */
import { DEFAULT_CLAIM_NAMES, DEFAULT_SCOPES, type OidcProviderSettings } from '@gatehouse-auth/sso';
import { z } from 'zod';

const claimName = z.string().min(1).max(200);
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name (A-Z, 0-9, _)');

export const providerIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and - (it appears in URLs)');

export const oidcProviderSchema = z
  .strictObject({
    id: providerIdSchema,
    type: z.literal('oidc'),
    name: z.string().min(1).max(200).optional().describe('Shown on the login page ("Continue with <name>"); default: the id.'),
    issuer: z.url({ protocol: /^https?$/ }).describe("The IdP's issuer identifier, e.g. https://acme.okta.com or https://login.microsoftonline.com/<tenant>/v2.0"),
    client_id: z.string().min(1).max(500),
    client_secret_env: envName.optional().describe('Environment variable holding the client secret (absent: a public client using PKCE only).'),
    client_secret: z.string().min(1).max(2000).optional().describe('Literal secret: development only, or set through a setup link (stored in the database).'),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).default([...DEFAULT_SCOPES]),
    claims: z
      .strictObject({
        email: claimName.default(DEFAULT_CLAIM_NAMES.email),
        email_verified: claimName.default(DEFAULT_CLAIM_NAMES.emailVerified).describe('Boolean claim saying the IdP verified the email (Entra ID: xms_edov).'),
        name: claimName.default(DEFAULT_CLAIM_NAMES.name),
        groups: claimName.default(DEFAULT_CLAIM_NAMES.groups),
      })
      .default({ email: DEFAULT_CLAIM_NAMES.email, email_verified: DEFAULT_CLAIM_NAMES.emailVerified, name: DEFAULT_CLAIM_NAMES.name, groups: DEFAULT_CLAIM_NAMES.groups }),
    userinfo: z.enum(['auto', 'always', 'never']).default('auto').describe('auto: ask the userinfo endpoint when the ID token lacks the email or groups.'),
  })
  .superRefine((idp, ctx) => {
    if (idp.client_secret && idp.client_secret_env) ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'give either client_secret_env or client_secret, not both' });
  });

export type OidcProviderConfig = z.infer<typeof oidcProviderSchema>;

/** The provider's settings for the relying party, or why they cannot be used (a secret's variable unset). */
export function toOidcSettings(config: OidcProviderConfig, env: Readonly<Record<string, string | undefined>>): OidcProviderSettings | { error: string } {
  let clientSecret = config.client_secret;
  if (config.client_secret_env) {
    clientSecret = env[config.client_secret_env];
    if (!clientSecret) return { error: `environment variable ${config.client_secret_env} is not set` };
  }
  return {
    id: config.id,
    issuer: config.issuer,
    clientId: config.client_id,
    clientSecret,
    scopes: config.scopes,
    claims: { email: config.claims.email, emailVerified: config.claims.email_verified, name: config.claims.name, groups: config.claims.groups },
    userinfo: config.userinfo,
  };
}
