/**
 * `upstreams:` under `gatehouse serve`: the gateway runs in the same
 * process as the authorization server, on the listener `gateway:` names.
 * Each upstream is one of the config's `resources:` (its URI is
 * `gateway.public_url` + its path): its scopes and organizations default to
 * that resource's, so the policy can only name scopes of the catalogue. The
 * gateway introspects with the config client that is the resource server
 * for every upstream, and its decisions land in the same hash-chained
 * audit log as everything else.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { canonicalResourceUri } from '@gatehouse-auth/core';
import { createGateway } from '@gatehouse-auth/gateway';
import type { Logger } from 'pino';
import type { GatehouseConfig } from '../config/schema.ts';
import type { RunningGatehouse } from '../server/start.ts';
import { locatedError, locatedPolicyError } from './located.ts';
import { auditGatewayDecisions, listenGateway, type ListeningGateway } from './listen-gateway.ts';
import { upstreamOptions, type Issue } from './upstream-options.ts';

export async function startServeGateway(configPath: string, config: GatehouseConfig, running: RunningGatehouse, logger?: Logger): Promise<ListeningGateway | undefined> {
  if (config.upstreams.length === 0) return undefined;
  const text = await readFile(configPath, 'utf8');
  const file = basename(configPath);
  const issues: Issue[] = [];
  const listen = config.gateway;
  if (!listen) throw locatedError(file, text, [{ path: ['upstreams'], message: 'upstreams need `gateway: { public_url, host, port }` (where the gateway listens)' }]);
  const publicUrl = listen.public_url.replace(/\/+$/, '');
  const uris: string[] = [];
  const upstreams = [];
  for (const [i, upstream] of config.upstreams.entries()) {
    const uri = canonicalResourceUri(`${publicUrl}${upstream.path}`) ?? `${publicUrl}${upstream.path}`;
    uris.push(uri);
    const catalogued = config.resources.find((resource) => canonicalResourceUri(resource.uri) === uri);
    const stored = catalogued ? await running.store.resources.get(uri) : undefined;
    if (!catalogued || !stored) issues.push({ path: ['upstreams', i, 'path'], message: `${uri} is not one of resources: (add it with its scopes and organizations)` });
    if (upstream.scopes)
      for (const [j, scope] of upstream.scopes.entries())
        if (catalogued && !catalogued.scopes.includes(scope)) issues.push({ path: ['upstreams', i, 'scopes', j], message: `${scope} is not a scope of the resource ${uri}` });
    upstreams.push(
      upstreamOptions(upstream, ['upstreams', i], process.env, { ...(catalogued ? { scopes: catalogued.scopes } : {}), ...(stored ? { organizations: stored.organizations } : {}) }, issues),
    );
  }
  const client = config.clients.find((c) => c.secret && uris.every((uri) => c.resource_server_for.some((served) => canonicalResourceUri(served) === uri)));
  if (!client?.secret) issues.push({ path: ['upstreams'], message: `no client with a secret has resource_server_for: [${uris.join(', ')}] (the gateway introspects with it)` });
  if (issues.length > 0) throw locatedError(file, text, issues);
  let gateway;
  try {
    gateway = createGateway({
      issuer: running.issuer,
      publicUrl,
      introspection: { clientId: client!.client_id, clientSecret: client!.secret! },
      upstreams,
      ...(running.audit ? { onDecision: auditGatewayDecisions(running.audit) } : {}),
      onError: (error) => logger?.warn({ err: error }, 'gateway error'),
    });
  } catch (error) {
    throw locatedPolicyError(file, text, error);
  }
  return listenGateway(gateway, listen.host, listen.port);
}
