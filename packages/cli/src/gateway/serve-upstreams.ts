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
import { basename, dirname, resolve } from 'node:path';
import type { PolicyProject } from '@gatehouse-auth/policy';
import { canonicalResourceUri } from '@gatehouse-auth/core';
import { createGateway } from '@gatehouse-auth/gateway';
import type { Logger } from 'pino';
import type { GatehouseConfig } from '../config/schema.ts';
import type { RunningGatehouse } from '../server/start.ts';
import { locatedError, locatedPolicyError } from './located.ts';
import { auditGatewayDecisions, listenGateway, type ListeningGateway } from './listen-gateway.ts';
import { runtimeAuthorizations } from './runtime-authorization.ts';
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
    if (upstream.cedar)
      issues.push({
        path: ['upstreams', i, 'cedar'],
        message: 'under gatehouse serve, give the Cedar policies on the upstream’s resource (resources[].policy), where `gatehouse policy validate` and `test` find them',
      });
    if (upstream.scopes)
      for (const [j, scope] of upstream.scopes.entries())
        if (catalogued && !catalogued.scopes.includes(scope)) issues.push({ path: ['upstreams', i, 'scopes', j], message: `${scope} is not a scope of the resource ${uri}` });
    upstreams.push(
      upstreamOptions(upstream, ['upstreams', i], process.env, { ...(catalogued ? { scopes: catalogued.scopes } : {}), ...(stored ? { organizations: stored.organizations } : {}) }, issues),
    );
  }
  const client = config.clients.find((c) => c.secret && uris.every((uri) => c.resource_server_for.some((served) => canonicalResourceUri(served) === uri)));
  if (!client?.secret) issues.push({ path: ['upstreams'], message: `no client with a secret has resource_server_for: [${uris.join(', ')}] (the gateway introspects with it)` });
  const redisEnv = listen.rate_limit_redis_url_env;
  const rateLimitRedisUrl = redisEnv ? process.env[redisEnv] : undefined;
  if (redisEnv && !rateLimitRedisUrl) issues.push({ path: ['gateway', 'rate_limit_redis_url_env'], message: `environment variable ${redisEnv} is not set` });
  if (issues.length > 0) throw locatedError(file, text, issues);
  const introspection = { clientId: client!.client_id, clientSecret: client!.secret! };
  const projects = await cedarProjects(config, configPath, uris);
  const runtime = await runtimeAuthorizations(
    config.upstreams.map((upstream, i) => ({ config: upstream, at: ['upstreams', i], ...(projects[i] ? { project: projects[i] } : {}) })),
    { issuer: running.issuer, client: introspection, baseDir: dirname(resolve(configPath)), env: process.env, ...(rateLimitRedisUrl ? { rateLimitRedisUrl } : {}) },
    issues,
  );
  if (issues.length > 0) {
    await runtime.close();
    throw locatedError(file, text, issues);
  }
  let gateway;
  try {
    gateway = createGateway({
      issuer: running.issuer,
      publicUrl,
      introspection,
      upstreams: upstreams.map((upstream, i) => ({ ...upstream, ...runtime.upstreams[i] })),
      ...(running.audit ? { onDecision: auditGatewayDecisions(running.audit) } : {}),
      onError: (error) => logger?.warn({ err: error }, 'gateway error'),
    });
  } catch (error) {
    await runtime.close();
    throw locatedPolicyError(file, text, error);
  }
  const listening = await listenGateway(gateway, listen.host, listen.port).catch(async (error: unknown) => {
    await gateway.close();
    await runtime.close();
    throw error;
  });
  return {
    ...listening,
    async close() {
      await listening.close();
      await runtime.close();
    },
  };
}

/** The Cedar project of each upstream's resource (`resources[].policy`), by position; loads the policy package only when one has policies. */
async function cedarProjects(config: GatehouseConfig, configPath: string, uris: string[]): Promise<(PolicyProject | undefined)[]> {
  const withPolicy = new Set(config.resources.filter((resource) => resource.policy).map((resource) => canonicalResourceUri(resource.uri) ?? resource.uri));
  if (!uris.some((uri) => withPolicy.has(uri))) return uris.map(() => undefined);
  const { policyProjects } = await import('@gatehouse-auth/policy');
  const projects = policyProjects(config, configPath);
  return uris.map((uri) => projects.find((project) => (canonicalResourceUri(project.resource) ?? project.resource) === uri));
}
