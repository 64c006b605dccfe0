/**
 * Who may see which revocation event (issue 10: a stream subscriber must
 * not learn other orgs' activity). A subscriber is a resource server; it
 * sees an event when the event concerns a resource it serves or an org one
 * of its resources serves:
 *   - an event naming an org: that org must be served;
 *   - an event naming a grant (revocation, reuse, replay): the grant's
 *     resource must be one of the subscriber's, and its org served;
 *   - an event naming only a user (user disabled): the user must belong to
 *     a served org;
 *   - anything else (a role's permissions changed, a client disabled, a
 *     client's tokens revoked) names no tenant and is sent to every
 *     subscriber: it carries at most a client id and one-way token hashes.
 * Lookups are made once per event, not once per subscriber.
 */
import type { Client, GatehouseEvent } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { catalogue } from '../token/catalogue.ts';

export interface StreamAudience {
  resources: ReadonlySet<string>;
  /** Org ids served by any of those resources, or every org when one of them is multi-tenant. */
  orgs: ReadonlySet<string> | 'all';
}

/** Read from the cached catalogue on each event, so a config change applies to open streams. */
export async function audienceOf(ctx: ServerContext, client: Client): Promise<StreamAudience> {
  const { resources } = await catalogue(ctx);
  const served = client.resourceServerFor.map((uri) => resources.get(uri)).filter((r) => r !== undefined);
  if (served.some((r) => r.multiTenant)) return { resources: new Set(served.map((r) => r.uri)), orgs: 'all' };
  return { resources: new Set(served.map((r) => r.uri)), orgs: new Set(served.flatMap((r) => r.organizations)) };
}

const servesOrgOf = (audience: StreamAudience, orgId: string | null): boolean => orgId !== null && (audience.orgs === 'all' || audience.orgs.has(orgId));

export type Concern = { kind: 'org'; orgId: string } | { kind: 'grant'; resource: string; orgId: string | null } | { kind: 'user'; orgIds: string[] } | { kind: 'none' } | { kind: 'unknown' };

const concerns = new WeakMap<object, Promise<Concern>>();

async function concernOf(ctx: ServerContext, event: GatehouseEvent): Promise<Concern> {
  if ('orgId' in event && event.orgId) return { kind: 'org', orgId: event.orgId };
  if ('grantId' in event && event.grantId) {
    const grant = await ctx.store.grants.get(event.grantId);
    return grant ? { kind: 'grant', resource: grant.resource, orgId: grant.orgId } : { kind: 'unknown' };
  }
  if ('userId' in event && event.userId) {
    return { kind: 'user', orgIds: (await ctx.store.orgs.listMembershipsOfUser(event.userId)).map((m) => m.orgId) };
  }
  return { kind: 'none' };
}

/**
 * What the event concerns, memoised on the event object so every subscriber
 * of one process shares one lookup. Called as the event is published (not
 * when a stream's queue reaches it), so the lookup sees the state of that
 * moment: a user disabled and then removed from the org still counts as a
 * member when the disabling is judged.
 */
export function eventConcern(ctx: ServerContext, event: GatehouseEvent): Promise<Concern> {
  let concern = concerns.get(event);
  if (!concern) {
    concern = concernOf(ctx, event);
    concerns.set(event, concern);
  }
  return concern;
}

export function visibleTo(concern: Concern, audience: StreamAudience): boolean {
  switch (concern.kind) {
    case 'org':
      return servesOrgOf(audience, concern.orgId);
    case 'grant':
      return audience.resources.has(concern.resource) && servesOrgOf(audience, concern.orgId);
    case 'user':
      return audience.orgs === 'all' ? concern.orgIds.length > 0 : concern.orgIds.some((id) => servesOrgOf(audience, id));
    case 'none':
      return true;
    case 'unknown':
      return false;
  }
}
