/**
 * Loads everything a consent decision needs for one pending authorization,
 * one user and one org: scope definitions, the user's roles there, the
 * screen's choices and the remembered grant. Re-read on every step, so a
 * role change between screens is honoured.
 */
import { OAuthError, servesOrg, type Client, type Grant, type ProtectedResource, type ScopeDefinition } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import type { PendingAuthorization } from '../authorize/pending.ts';
import { resolveClient } from '../authorize/client-port.ts';
import { planConsent, type ScopeChoice } from './plan.ts';

export interface ConsentContext {
  client: Client;
  resource: ProtectedResource;
  orgId: string | null;
  roles: string[] | null;
  definitions: Map<string, ScopeDefinition>;
  choices: ScopeChoice[];
  explicitRequest: boolean;
  grant: Grant | undefined;
}

export async function loadConsentContext(ctx: ServerContext, pending: PendingAuthorization, userId: string, orgId: string | null): Promise<ConsentContext> {
  const client = await resolveClient(ctx, pending.clientId);
  if (client.status !== 'active') throw new OAuthError('access_denied', 'This client has been disabled.', { allowRedirect: false });
  const resource = await ctx.store.resources.get(pending.resource);
  if (!resource) throw new OAuthError('invalid_target', 'The resource is no longer configured.');
  // The org was picked among served ones (next-step.ts); checked again here because every consent and code passes this way.
  if (!servesOrg(resource, orgId))
    throw new OAuthError('access_denied', 'This resource does not serve the chosen organization.', { allowRedirect: false, detail: `org ${orgId} not served by ${resource.uri}` });
  const membership = orgId === null ? undefined : await ctx.store.orgs.getMembership(userId, orgId);
  const roles = membership ? membership.roles : null;
  const definitions = new Map((await ctx.store.scopes.list()).map((d) => [d.name, d]));
  const choices = planConsent({ requested: pending.scopes, resourceScopes: resource.scopes, clientScope: client.scope, definitions, roles, operations: resource.operations });
  const grant = await ctx.store.grants.findActive({ userId, orgId, clientId: client.id, resource: resource.uri });
  return { client, resource, orgId, roles, definitions, choices, explicitRequest: pending.scopes.length > 0, grant };
}
