/**
 * How a company's directory groups become an organization's roles. SSO (the
 * groups an IdP asserts at sign-in) and SCIM (the groups a directory pushes)
 * read the same mapping, so a person gets the same roles whichever way they
 * arrive.
 */
export interface GroupRoleMapping {
  /** Directory group (its display name or id, compared exactly) → roles it gives in the org. */
  readonly groupRoles: Readonly<Record<string, readonly string[]>>;
  /** Roles for a member none of whose groups is mapped; empty means such a member gets no role. */
  readonly defaultRoles: readonly string[];
}

/**
 * The roles a member with these directory groups holds: the union of every
 * mapped group's roles in first-seen order, or the default roles when no
 * group is mapped. Group names are compared exactly (directories treat `Eng`
 * and `eng` as different groups, and a lenient match could hand out a role
 * nobody mapped).
 */
export function rolesForGroups(mapping: GroupRoleMapping, groups: readonly string[]): string[] {
  const roles: string[] = [];
  for (const group of groups) {
    if (!Object.hasOwn(mapping.groupRoles, group)) continue;
    for (const role of mapping.groupRoles[group] ?? []) if (!roles.includes(role)) roles.push(role);
  }
  return roles.length > 0 ? roles : [...mapping.defaultRoles];
}
