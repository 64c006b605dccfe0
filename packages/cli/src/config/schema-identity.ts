/**
 * `organizations[].identity_providers`: the org's company IdPs, a union on
 * `type`. The OIDC member is the authorization server's own schema (the
 * store keeps the same snake_case settings), so file and store agree.
 * SAML adds its member here.
 */
import { oidcProviderSchema } from '@gatehouse-auth/authorization-server';
import { z } from 'zod';
import { samlIdentityProviderSchema } from './schema-saml.ts';

export const identityProviderSchema = z.discriminatedUnion('type', [oidcProviderSchema, samlIdentityProviderSchema]);

export type IdentityProviderConfig = z.output<typeof identityProviderSchema>;
