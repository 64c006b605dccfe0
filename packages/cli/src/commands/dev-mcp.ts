/**
 * Starts the example company's MCP server beside `gatehouse dev`. It is
 * imported lazily and by a name the compiler does not follow: it is a demo
 * in this repository, not a dependency of the published CLI, and a missing
 * or broken example must not stop the authorization server.
 *
 * It authenticates with the config's resource-server client for its
 * resource (`resource_server_for`: only such a client may introspect and
 * follow the revocation stream) and serves the orgs the resource serves,
 * read from the store as ids (issue 10: the SDK checks `org_id` again).
 * When the config gives the resource Cedar policies (`resources[].policy`),
 * the demo server enforces them after the scope check, as the company's own
 * deployment would: a person trying `gatehouse dev` sees the same decisions
 * that `gatehouse policy test` predicts.
 */
import type { Logger } from 'pino';
import { canonicalResourceUri } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { auditDecisions, auditRefusedTokens, type AuditLog } from '@gatehouse-auth/audit';
import type { cedarPolicy } from '@gatehouse-auth/policy';
import type { GatehouseConfig } from '../config/schema.ts';
import type { ServerMetrics } from '../operations/metrics.ts';

const EXAMPLE_PACKAGE: string = '@gatehouse-auth/example-internal-company';

/** The part of the example's API used here (examples/internal-company/src/server.ts, policy-inputs.ts). */
interface ExampleModule {
  seedCompanyData(): CompanyData;
  companyDirectory(data: CompanyData): (principal: { username?: string }) => Record<string, unknown> | undefined;
  ticketOwnership(data: CompanyData): (operation: { name: string; arguments: Record<string, unknown> }) => { owner?: string; ownerTeam?: string } | undefined;
  startInternalCompanyServer(options: {
    host: string;
    port: number;
    issuer: string;
    resource: string;
    introspection: { clientId: string; clientSecret: string; onCacheLookup?: (result: string) => void };
    organizations: string[];
    data?: CompanyData;
    policy?: ReturnType<typeof cedarPolicy>;
    onError?: (error: unknown) => void;
    onDecision?: ReturnType<typeof auditDecisions>;
  }): Promise<{ url: string; close(): Promise<void> }>;
}

/** The example's data, opaque here: created by the example and handed back to its own functions. */
type CompanyData = { readonly __companyData: unique symbol };

export interface DemoMcpServer {
  url: string;
  /** The Cedar policy files the demo server enforces (empty when the resource declares none). */
  policyFiles: string[];
  close(): Promise<void>;
}

/**
 * The resource's Cedar policies over the demo's data, or why they cannot be loaded. A resource
 * that declares policies must not be served without them: that would allow what they forbid.
 */
async function companyPolicy(
  example: ExampleModule,
  data: CompanyData,
  config: GatehouseConfig,
  configPath: string,
  canonical: string,
): Promise<{ policy?: ReturnType<typeof cedarPolicy>; files: string[] }> {
  // Imported here, like the policy commands do: the Cedar engine instantiates WebAssembly on load,
  // which no other command should pay for.
  const { cedarPolicy, formatProblem, PolicyError, policyProjects, readPolicyFiles } = await import('@gatehouse-auth/policy');
  const project = policyProjects(config, configPath).find((p) => (canonicalResourceUri(p.resource) ?? p.resource) === canonical);
  if (!project) return { files: [] };
  try {
    const policy = cedarPolicy({
      policies: readPolicyFiles(project.files),
      model: project.model,
      timeZone: project.timeZone,
      environment: project.environment,
      userAttributes: example.companyDirectory(data),
      ownership: example.ticketOwnership(data),
    });
    return { policy, files: project.files };
  } catch (error) {
    const detail = error instanceof PolicyError ? error.problems.map(formatProblem).join('\n') : (error as Error).message;
    throw new Error(`the policies of ${project.resource} do not load (check them with: gatehouse policy validate):\n${detail}`);
  }
}

export async function startDemoMcpServer(
  config: GatehouseConfig,
  configPath: string,
  issuer: string,
  resource: string,
  logger: Logger,
  store: Store,
  audit?: AuditLog,
  metrics?: ServerMetrics,
): Promise<DemoMcpServer | undefined> {
  const canonical = canonicalResourceUri(resource) ?? resource;
  const client = config.clients.find((c) => c.secret && c.resource_server_for.some((uri) => canonicalResourceUri(uri) === canonical));
  if (!client?.secret) {
    logger.warn(`demo MCP server not started: no client with a secret has resource_server_for: [${resource}] (needed to introspect)`);
    return undefined;
  }
  const served = await store.resources.get(canonical);
  if (!served || served.multiTenant || served.organizations.length === 0) {
    logger.warn(`demo MCP server not started: the resource ${resource} must name the organizations it serves`);
    return undefined;
  }
  try {
    const example = (await import(EXAMPLE_PACKAGE)) as ExampleModule;
    const data = example.seedCompanyData();
    const { policy, files } = await companyPolicy(example, data, config, configPath, canonical);
    const url = new URL(resource);
    const started = await example.startInternalCompanyServer({
      host: url.hostname,
      port: Number(url.port || 80),
      issuer,
      resource,
      introspection: {
        clientId: client.client_id,
        clientSecret: client.secret,
        // Its cache hits show on the dev server's /metrics (gatehouse_rs_introspection_cache_total).
        ...(metrics ? { onCacheLookup: (result: string) => metrics.introspectionCache.inc({ result }) } : {}),
      },
      organizations: served.organizations,
      data,
      ...(policy ? { policy } : {}),
      onError: (error) => logger.error({ err: error }, 'demo MCP server error'),
      // Every tool call (denied, or run with its outcome) and every refused token (aggregated)
      // lands in the same hash-chained log as token and admin events.
      ...(audit ? { onDecision: auditDecisions(audit), onRefusedTokens: auditRefusedTokens(audit) } : {}),
    });
    return { ...started, policyFiles: files };
  } catch (error) {
    logger.warn({ err: error }, 'demo MCP server not started');
    return undefined;
  }
}
