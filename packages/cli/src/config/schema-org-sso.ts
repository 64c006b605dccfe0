/**
 * The enterprise sign-in keys of an organization (issue 13): its company
 * IdPs, its email domains, its group → role mapping and whether it
 * enforces SSO. Spread into organizationSchema.
 */
import { z } from 'zod';
import { directorySchema } from './schema-directory.ts';
import { identityProviderSchema } from './schema-identity.ts';

export const domainSchema = z.strictObject({
  name: z
    .string()
    .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/, 'a lower-case domain such as acme.com')
    .describe('An email domain of this organization.'),
  verified_by: z.enum(['config', 'dns']).default('dns').describe('config: the operator asserts ownership here; dns: verified by a TXT record (`gatehouse orgs domains verify`).'),
});

export const orgSsoFields = {
  identity_providers: z.array(identityProviderSchema).optional().describe("The organization's company identity providers (OIDC; SAML)."),
  domains: z
    .array(domainSchema)
    .optional()
    .describe("Email domains of this organization: a verified one routes its people to the org's identity provider at login and lets a verified IdP email link an existing account."),
  directory: directorySchema.optional(),
  enforce_sso: z.boolean().optional().describe("People of the org's verified domains must sign in through its identity provider: no password login for them."),
};
