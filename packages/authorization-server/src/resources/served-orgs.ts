/**
 * Organizations bound resources (outside attack, issue 10): a protected
 * resource serves the orgs it names, or every org when multi-tenant. A
 * token is only ever issued, refreshed or introspected as active for an org
 * its resource serves; role names alone never carry across orgs. Each
 * refusal is announced (`access.refused`) so it lands in the requester's
 * org's audit chain.
 */
import { OAuthError, servesOrg, type ProtectedResource } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { catalogue } from '../token/catalogue.ts';

export interface RefusalSubject {
  step: 'authorize' | 'token' | 'introspect';
  userId: string | null;
  /** The org(s) the requester acted in or belongs to; one audit record each (none: the system chain). */
  orgIds: (string | null)[];
  clientId: string;
  resource: string;
}

export async function announceRefusal(ctx: ServerContext, subject: RefusalSubject): Promise<void> {
  const orgIds = subject.orgIds.length > 0 ? subject.orgIds : [null];
  for (const orgId of orgIds) {
    await ctx.events.publish({
      type: 'access.refused',
      reason: 'org_not_served',
      step: subject.step,
      userId: subject.userId,
      orgId,
      clientId: subject.clientId,
      resource: subject.resource,
    });
  }
  ctx.log('info', 'access refused: the resource does not serve the organization', { step: subject.step, clientId: subject.clientId, resource: subject.resource });
}

/** The resource by canonical URI, from the cached catalogue (token endpoint and introspection hot paths). */
export async function resourceOf(ctx: ServerContext, uri: string): Promise<ProtectedResource | undefined> {
  return (await catalogue(ctx)).resources.get(uri);
}

/**
 * Token endpoint: the grant's resource must still serve its org. A grant
 * made before the resource stopped serving the org is no longer valid for
 * it (RFC 6749 §5.2 invalid_grant); nothing is issued and nothing rotated.
 */
export async function requireServedOrg(ctx: ServerContext, grant: { resource: string; orgId: string | null; userId: string | null; clientId: string }): Promise<void> {
  const resource = await resourceOf(ctx, grant.resource);
  if (resource && servesOrg(resource, grant.orgId)) return;
  await announceRefusal(ctx, { step: 'token', userId: grant.userId, orgIds: [grant.orgId], clientId: grant.clientId, resource: grant.resource });
  throw new OAuthError('invalid_grant', 'The resource does not serve this organization.', { detail: `org ${grant.orgId ?? '(none)'} not served by ${grant.resource}` });
}
