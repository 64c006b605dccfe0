/**
 * Organizations bound resources, enforced again at the resource server
 * (defence in depth, outside attack issue 10): the authorization server
 * issues tokens only for orgs a resource serves, and this SDK still refuses
 * a token whose `org_id` is outside the orgs it was configured with. A
 * multi-tenant server serves every org but must say how tenants are kept
 * apart: the `tenantIsolation` policy on the argument it names runs before
 * every other policy.
 *
 * A foreign org's token is refused as 401 `invalid_token` (RFC 6750 §3.1:
 * "invalid for other reasons"), as a token for another audience is: it is
 * not a credential for this resource at all, and no scope step-up (403
 * insufficient_scope) could make it one.
 */
import { allOf, tenantIsolation, type Policy, type TenantIsolationOptions } from './policy.ts';
import type { Principal } from './principal.ts';

export interface OrganizationOptions {
  /** Org ids this server serves (as tokens carry them in `org_id`). */
  organizations?: string[];
  /** Serves every org; calls are confined to the token's own org through this argument. */
  multiTenant?: TenantIsolationOptions;
}

export type OrgCheck = (principal: Principal) => boolean;

/** Startup validation: exactly one of the two, never an unbound server. */
export function orgCheckOf(options: OrganizationOptions): OrgCheck {
  const { organizations, multiTenant } = options;
  if (organizations !== undefined && multiTenant !== undefined) throw new Error('configure organizations or multiTenant, not both');
  if (multiTenant !== undefined) return (principal) => principal.orgId !== null;
  if (organizations === undefined || organizations.length === 0) {
    throw new Error('configure organizations (the org ids this server serves) or multiTenant (with the argument that names the tenant)');
  }
  const served = new Set(organizations);
  return (principal) => principal.orgId !== null && served.has(principal.orgId);
}

/** The server-wide policy, with tenant isolation first for a multi-tenant server. */
export function withTenantIsolation(options: OrganizationOptions, policy: Policy | undefined): Policy | undefined {
  if (!options.multiTenant) return policy;
  const isolation = tenantIsolation(options.multiTenant);
  return policy ? allOf(isolation, policy) : isolation;
}
