/**
 * `organizations[].directory`: how the company directory's groups become
 * the org's roles, for SCIM provisioning and SSO sign-in alike
 * (`rolesForGroups` in @gatehouse-auth/core). Group names compare exactly.
 */
import { z } from 'zod';
import type { GroupRoleMapping } from '@gatehouse-auth/core';

export const directorySchema = z
  .strictObject({
    group_roles: z
      .record(z.string().min(1), z.array(z.string().min(1)))
      .default({})
      .describe('Directory group (display name, compared exactly) → roles it gives in this organization, e.g. { eng: [Engineering] }.'),
    default_roles: z.array(z.string().min(1)).default([]).describe('Roles of a member none of whose groups is mapped; empty: such a member holds no role.'),
  })
  .describe('Directory groups → roles (SCIM and SSO).');

export type DirectoryConfig = z.output<typeof directorySchema>;

export const groupRoleMappingOf = (directory: DirectoryConfig): GroupRoleMapping => ({ groupRoles: directory.group_roles, defaultRoles: directory.default_roles });
