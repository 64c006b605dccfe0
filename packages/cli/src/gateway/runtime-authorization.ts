/**
 * Runtime authorization of one upstream, from its config (issue 15 for the
 * gateway): Cedar policies decided per call after the scope check, then the
 * SDK's call gates, rate limits and per-call human approval, in that order.
 * The gateway's guard runs them exactly as it does for an SDK server, so a
 * refused call never reaches the upstream. Problems are returned with their
 * YAML path; nothing is half-built.
 */
import { resolve } from 'node:path';
import { isExactName } from '@gatehouse-auth/gateway';
import type { CallGate, Policy } from '@gatehouse-auth/mcp';
import type { AccessModel, Buckets, OperationTraits, PolicyProject } from '@gatehouse-auth/policy';
import type { UpstreamConfig } from '../config/upstreams-schema.ts';
import type { Issue } from './upstream-options.ts';

type PolicyModule = typeof import('@gatehouse-auth/policy');

export interface RuntimeAuthorizationContext {
  issuer: string;
  /** The gateway's client at the authorization server: it opens and consumes approvals. */
  client: { clientId: string; clientSecret: string };
  /** Where `cedar.files` resolve: the config file's folder. */
  baseDir: string;
  env: Record<string, string | undefined>;
  /** redis:// URL: rate-limit buckets shared by every gateway process on it; absent: counted in this process. */
  rateLimitRedisUrl?: string;
}

export interface UpstreamToAuthorize {
  config: UpstreamConfig;
  /** Its path in the YAML document. */
  at: (string | number)[];
  /** Under `gatehouse serve`: the Cedar project of the upstream's resource (`resources[].policy`). */
  project?: PolicyProject;
}

export interface RuntimeAuthorization {
  runtimePolicy?: Policy;
  callGates?: CallGate[];
}

export interface RuntimeAuthorizations {
  /** One per upstream, in order. */
  upstreams: RuntimeAuthorization[];
  /** Closes what they share (the Redis connection of the rate-limit buckets). */
  close(): Promise<void>;
}

/** Whether an upstream asks for any runtime authorization (only then is the Cedar engine's WebAssembly loaded). */
const needsRuntimeAuthorization = (upstream: UpstreamConfig, project: PolicyProject | undefined): boolean =>
  project !== undefined || upstream.cedar !== undefined || upstream.rate_limits.length > 0 || upstream.approvals !== undefined;

/**
 * gateway.yaml's Cedar model: the operations its rules name exactly. A tool reached only through a glob
 * or the default has no Cedar action, so Cedar refuses it (fail closed; docs/gateway.md says to name such tools).
 */
function gatewayModel(upstream: UpstreamConfig): AccessModel {
  const traits = (rules: { name: string; deny: boolean }[]): Record<string, OperationTraits> =>
    Object.fromEntries(rules.filter((rule) => !rule.deny && isExactName(rule.name)).map((rule) => [rule.name, { sensitivity: 'routine', tags: [...(upstream.cedar?.tags[rule.name] ?? [])] }]));
  return { roles: [], tools: traits(upstream.policy.tools), resources: traits(upstream.policy.resources), prompts: traits(upstream.policy.prompts), userAttributes: {} };
}

function cedarFor(policy: PolicyModule, { config: upstream, at, project: served }: UpstreamToAuthorize, context: RuntimeAuthorizationContext, issues: Issue[]): Policy | undefined {
  const project: PolicyProject | undefined =
    served ??
    (upstream.cedar
      ? {
          resource: upstream.path,
          model: gatewayModel(upstream),
          files: upstream.cedar.files.map((file) => resolve(context.baseDir, file)),
          cases: undefined,
          timeZone: upstream.cedar.time_zone,
          environment: upstream.cedar.environment,
        }
      : undefined);
  if (!project) return undefined;
  const where = served ? at : [...at, 'cedar'];
  try {
    return policy.cedarPolicy({ policies: policy.readPolicyFiles(project.files), model: project.model, timeZone: project.timeZone, environment: project.environment });
  } catch (error) {
    const message = error instanceof policy.PolicyError ? error.problems.map(policy.formatProblem).join('; ') : (error as Error).message;
    issues.push({ path: where, message: `the Cedar policies do not load: ${message}` });
    return undefined;
  }
}

function approvalsFor(policy: PolicyModule, { config: upstream, at }: UpstreamToAuthorize, context: RuntimeAuthorizationContext, issues: Issue[]): CallGate | undefined {
  const approvals = upstream.approvals;
  if (!approvals) return undefined;
  const key = context.env[approvals.state_key_env];
  if (!key) {
    issues.push({ path: [...at, 'approvals', 'state_key_env'], message: `environment variable ${approvals.state_key_env} is not set` });
    return undefined;
  }
  try {
    policy.stateKey(key);
  } catch (error) {
    issues.push({ path: [...at, 'approvals', 'state_key_env'], message: `${approvals.state_key_env}: ${(error as Error).message}` });
    return undefined;
  }
  return policy.approvalGate({
    authority: policy.gatehouseApprovals({ issuer: context.issuer, clientId: context.client.clientId, clientSecret: context.client.clientSecret }),
    stateKey: key,
    requires: Object.fromEntries(Object.entries(approvals.tools).map(([tool, rule]) => [tool, { approverRoles: rule.approver_roles, selfApproval: rule.self_approval }])),
    ...(approvals.ttl_seconds !== undefined ? { ttlSeconds: approvals.ttl_seconds } : {}),
  });
}

export async function runtimeAuthorizations(upstreams: UpstreamToAuthorize[], context: RuntimeAuthorizationContext, issues: Issue[]): Promise<RuntimeAuthorizations> {
  if (!upstreams.some((upstream) => needsRuntimeAuthorization(upstream.config, upstream.project))) return { upstreams: upstreams.map(() => ({})), close: async () => {} };
  // Imported here: the Cedar engine instantiates WebAssembly on load, which a gateway without runtime policy should not pay for.
  const policy = await import('@gatehouse-auth/policy');
  let buckets: InstanceType<PolicyModule['RedisBuckets']> | InstanceType<PolicyModule['MemoryBuckets']> | undefined;
  const shared = (): Buckets => (buckets ??= context.rateLimitRedisUrl ? new policy.RedisBuckets({ redis: context.rateLimitRedisUrl }) : new policy.MemoryBuckets());
  const built = upstreams.map((upstream): RuntimeAuthorization => {
    const runtimePolicy = cedarFor(policy, upstream, context, issues);
    const gates: CallGate[] = [];
    const limits = upstream.config.rate_limits.map((limit) => ({ ...(limit.tool ? { tool: limit.tool } : {}), per: limit.per, limit: limit.limit, windowSeconds: limit.window_seconds }));
    if (limits.length > 0) gates.push(policy.rateLimitGate({ limits, buckets: shared() }));
    const approval = approvalsFor(policy, upstream, context, issues);
    if (approval) gates.push(approval);
    return { ...(runtimePolicy ? { runtimePolicy } : {}), ...(gates.length > 0 ? { callGates: gates } : {}) };
  });
  return {
    upstreams: built,
    async close() {
      if (buckets && 'close' in buckets) await buckets.close();
    },
  };
}
