/**
 * `organizations[].directory`: how the company's directory groups become
 * this org's roles, read by SSO sign-in and SCIM alike (core's
 * rolesForGroups). Role names are checked against `roles:` (references.ts).
 */
import { z } from 'zod';

export const directorySchema = z
  .strictObject({
    group_roles: z
      .record(z.string().min(1).max(256), z.array(z.string().min(1)).min(1, 'list the roles this group gives'))
      .default({})
      .describe('Directory group (display name or id, compared exactly) → roles it gives in this org, e.g. { eng: [Engineering] }.'),
    default_roles: z.array(z.string().min(1)).default([]).describe('Roles of a member none of whose groups is mapped; empty: such a member gets no role.'),
  })
  .describe("How the company directory's groups map to this org's roles (SSO sign-in and SCIM).");

export type DirectoryConfig = z.output<typeof directorySchema>;
