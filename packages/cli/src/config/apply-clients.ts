/**
 * Pre-registered clients and service agents. Runtime clients (dynamic
 * registration, metadata documents) are never modified or deleted here;
 * a config entry reusing such a client_id is an error.
 */
import { canonicalResourceUri, sha256, type Client } from '@gatehouse-auth/core';
import type { ClientConfig, GatehouseConfig } from './schema.ts';
import { differences, record, sorted, type Plan } from './plan.ts';

export class ApplyError extends Error {
  override name = 'ApplyError';
}

function desiredClient(plan: Plan, entry: ClientConfig, current: Client | undefined): Client {
  const service = entry.grant_types.includes('client_credentials');
  return {
    id: entry.client_id,
    kind: service ? 'service' : 'preregistered',
    name: entry.name,
    redirectUris: entry.redirect_uris,
    grantTypes: sorted(entry.grant_types),
    tokenEndpointAuthMethod: entry.token_endpoint_auth_method,
    // load.ts has put the environment value into `secret` for secret_env.
    secretHash: entry.secret === undefined ? null : sha256(entry.secret),
    applicationType: entry.application_type,
    logoUri: current?.logoUri ?? null,
    clientUri: current?.clientUri ?? null,
    policyUri: current?.policyUri ?? null,
    tosUri: current?.tosUri ?? null,
    scope: entry.scope ?? null,
    orgId: entry.org === undefined ? null : (plan.orgIds.get(entry.org) ?? `(new org ${entry.org})`),
    roles: sorted(entry.roles),
    // Canonical, as tokens name their resource; validated by checkReferences.
    resourceServerFor: sorted(entry.resource_server_for.map((uri) => canonicalResourceUri(uri) ?? uri)),
    // An operator's `clients disable` survives re-applying the file.
    status: current?.status ?? 'active',
    registrationAccessTokenHash: null,
    metadataExpiresAt: null,
    createdAt: current?.createdAt ?? plan.now,
    updatedAt: plan.now,
  };
}

export async function applyClients(plan: Plan, config: GatehouseConfig): Promise<void> {
  const owned = new Set(plan.owned.clients);
  for (const entry of config.clients) {
    const current = await plan.tx.clients.get(entry.client_id);
    if (current && !owned.has(current.id) && (current.kind === 'dynamic' || current.kind === 'metadata_document')) {
      throw new ApplyError(`client "${entry.client_id}" was registered at runtime (${current.kind}); config cannot take it over`);
    }
    const desired = desiredClient(plan, entry, current);
    plan.nextOwned.clients.push(desired.id);
    if (!current) {
      record(plan, { op: '+', kind: 'client', name: desired.id }, { type: 'client.registered', clientId: desired.id, actor: plan.actor });
    } else {
      const fields: (keyof Client)[] = ['kind', 'name', 'redirectUris', 'grantTypes', 'tokenEndpointAuthMethod', 'secretHash', 'applicationType', 'scope', 'orgId', 'roles', 'resourceServerFor'];
      const diff = differences({ ...current, grantTypes: sorted(current.grantTypes), roles: sorted(current.roles), resourceServerFor: sorted(current.resourceServerFor) }, desired, fields, [
        'secretHash',
      ]);
      if (diff.length === 0) continue;
      const detail = diff.map((d) => (d === 'secretHash' ? 'secret changed' : d)).join('; ');
      record(plan, { op: '~', kind: 'client', name: desired.id, detail }, { type: 'client.updated', clientId: desired.id, actor: plan.actor });
    }
    if (plan.dryRun) continue;
    await plan.tx.clients.upsert(desired);
    // A service agent's tokens carry scopes granted under its old org and roles.
    if (current && current.kind === 'service' && (current.orgId !== desired.orgId || sorted(current.roles).join() !== desired.roles.join())) {
      const hashes = await plan.tx.tokens.revokeForClient(desired.id, plan.now);
      if (hashes.length > 0) plan.events.push({ type: 'token.revoked', tokenHashes: hashes, reason: 'revoked_by_admin', clientId: desired.id, actor: plan.actor });
    }
  }
}

/** Deletes clients config created earlier and the file no longer lists, revoking their tokens. */
export async function pruneClients(plan: Plan): Promise<void> {
  const keep = new Set(plan.nextOwned.clients);
  for (const id of plan.owned.clients.filter((c) => !keep.has(c))) {
    if (!(await plan.tx.clients.get(id))) continue;
    record(plan, { op: '-', kind: 'client', name: id }, { type: 'client.deleted', clientId: id, actor: plan.actor });
    if (plan.dryRun) continue;
    const hashes = await plan.tx.tokens.revokeForClient(id, plan.now);
    if (hashes.length > 0) plan.events.push({ type: 'token.revoked', tokenHashes: hashes, reason: 'client_disabled', clientId: id, actor: plan.actor });
    await plan.tx.clients.delete(id);
  }
}
