/**
 * grant_type=client_credentials (OAuth 2.1 §4.2) for service agents: a
 * confidential client of kind `service` acting in one organization with its
 * own roles. It may receive only org scopes that its roles may grant on the
 * named resource (RFC 8707 `resource` is required), and never a refresh
 * token (§4.2.3). Its subject is `client:<client_id>`, outside the user id space.
 */
import { OAuthError, parseScopeParam, servesOrg, type Client, type ProtectedResource, type ScopeDefinition } from '@gatehouse-auth/core';
import type { ServerContext } from '../../context.ts';
import { catalogue } from '../catalogue.ts';
import { mintTokens, serviceSubject } from '../mint.ts';
import { afterDurable } from '../durable-issuance.ts';
import { parseResource } from '../resource.ts';
import { pooledTimeOrderedId } from '../../random-pool.ts';
import { announceRefusal } from '../../resources/served-orgs.ts';
import { requireClientAllowedAtToken } from '../../clients/org-policy.ts';
import type { GrantHandler } from './types.ts';

export const clientCredentialsGrant: GrantHandler = async (ctx, client, form) => {
  if (client.kind !== 'service' || client.tokenEndpointAuthMethod === 'none' || !client.orgId) {
    throw new OAuthError('unauthorized_client', 'This client may not use the client_credentials grant.', { detail: `kind ${client.kind}` });
  }
  if (!form.resource) throw new OAuthError('invalid_target', 'The resource parameter is required for client_credentials.');
  const resource = (await catalogue(ctx)).resources.get(parseResource(form.resource)!);
  if (!resource) throw new OAuthError('invalid_target', 'The resource is unknown.');
  if (!servesOrg(resource, client.orgId)) {
    // RFC 8707 §2: the named resource is not one this agent may have a token for (its org is not served).
    await announceRefusal(ctx, { step: 'token', userId: null, orgIds: [client.orgId], clientId: client.id, resource: resource.uri });
    throw new OAuthError('invalid_target', "The resource does not serve this client's organization.", { detail: `org ${client.orgId} not served by ${resource.uri}` });
  }
  await requireClientAllowedAtToken(ctx, { userId: null, orgId: client.orgId, clientId: client.id, resource: resource.uri }, 'unauthorized_client');
  const requested = parseScopeParam(form.scope);
  if (!requested) throw new OAuthError('invalid_scope', 'The scope parameter is malformed.');
  const allowed = await grantableScopes(ctx, client, resource);
  const denied = requested.filter((scope) => !allowed.has(scope));
  if (denied.length > 0) throw new OAuthError('invalid_scope', 'The client may not receive the requested scope.', { detail: `denied: ${denied.join(' ')}` });
  const scopes = requested.length > 0 ? requested : [...allowed];

  const minted = await mintTokens(ctx, {
    clientId: client.id,
    grantId: null,
    familyId: pooledTimeOrderedId('fam', ctx.clock.now()),
    userId: null,
    orgId: client.orgId,
    subject: serviceSubject(client.id),
    resource: resource.uri,
    scopes,
  });
  // Group-committed with concurrent issuances by the store; one fsync makes the tokens and their audit record durable.
  const committed = await ctx.store.tokens.insertCommitted(minted.records);
  const orgId = client.orgId;
  await afterDurable(committed, () =>
    ctx.events.publish({
      type: 'token.issued',
      tokenHash: minted.access.hash,
      grantId: null,
      clientId: client.id,
      userId: null,
      orgId,
      resource: resource.uri,
      scopes,
    }),
  );
  return minted.body;
};

/** Org scopes of the resource whose allowedRoles admit one of the client's roles (empty list: any role), within the client's own `scope` limit. */
async function grantableScopes(ctx: ServerContext, client: Client, resource: ProtectedResource): Promise<Set<string>> {
  const { scopes: definitions } = await catalogue(ctx);
  const clientLimit = client.scope === null ? undefined : new Set(client.scope.split(' '));
  const grantable = (definition: ScopeDefinition | undefined): boolean =>
    definition !== undefined && definition.kind === 'org' && (definition.allowedRoles.length === 0 || definition.allowedRoles.some((role) => client.roles.includes(role)));
  return new Set(resource.scopes.filter((name) => grantable(definitions.get(name)) && (!clientLimit || clientLimit.has(name))));
}
