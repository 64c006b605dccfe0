/**
 * `cedarPolicy(…)`: Cedar policies as the SDK's runtime policy hook
 * (`protectMcpServer({ policy })`). The SDK evaluates it after the scope
 * check, per call; the decision names the determining policies and the
 * inputs they read, which the SDK puts in the audit record.
 */
import type { AccessModel, OperationKindName } from './access-model.ts';
import { CedarEngine } from './engine.ts';
import { parsePolicyFiles, type PolicyFile, type PolicySource } from './policy-files.ts';
import { agentFromClientId, type AgentInfo } from './request.ts';
import type { DecisionLike, OperationLike, PolicyLike, PrincipalLike } from './sdk-types.ts';

/** The `_meta` key where a caller states why it makes the call (seed 003's business justification). */
export const REASON_META_KEY = 'io.gatehouse/reason';

/** Longest stated reason passed to policies (and kept in decision logs). */
export const MAX_REASON_LENGTH = 1000;

export interface Ownership {
  /** Subject (user id or email) owning the record the call touches. */
  owner?: string;
  /** Team the record is assigned to. */
  ownerTeam?: string;
}

export interface CedarPolicyOptions {
  /** Parsed policy set, or the files to parse. */
  policies: PolicySource | PolicyFile[];
  model: AccessModel;
  timeZone?: string;
  environment?: string;
  /** Epoch-millisecond clock for `context.now/hour/…`; default the SDK's request time. Inject one in tests. */
  clock?: { now(): number };
  /** The user's directory attributes (department, clearance…), looked up per call. */
  userAttributes?: (principal: PrincipalLike) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;
  /** Describes the OAuth client; default derives kind and metadata host from the client id. */
  agent?: (clientId: string) => AgentInfo | Promise<AgentInfo>;
  /** The argument naming the tenant the call touches: becomes `context.tenant`. */
  tenantArgument?: string;
  /** Who owns the record the call touches, from its arguments: becomes `context.owner` / `context.ownerTeam`. */
  ownership?: (operation: OperationLike, principal: PrincipalLike) => Ownership | undefined | Promise<Ownership | undefined>;
  /** Most Cedar answers kept for calls seen again, value for value (same decisions, no evaluation); 0 turns the cache off. Default 2048. */
  decisionCacheSize?: number;
  /** Decide with the policies compiled to JavaScript where they and the call's values allow it (same decisions, see policy-evaluator.ts); false asks Cedar every time. Default true. */
  compiledPolicies?: boolean;
}

const statedReason = (meta: Record<string, unknown> | undefined): string | undefined => {
  const value = meta?.[REASON_META_KEY];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, MAX_REASON_LENGTH);
};

const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as { then?: unknown } | null | undefined)?.then === 'function';

export function cedarPolicy(options: CedarPolicyOptions): PolicyLike & { engine: CedarEngine } {
  const source = Array.isArray(options.policies) ? parsePolicyFiles(options.policies) : options.policies;
  const engine = new CedarEngine({
    source,
    model: options.model,
    timeZone: options.timeZone,
    environment: options.environment,
    decisionCacheSize: options.decisionCacheSize,
    compiledPolicies: options.compiledPolicies,
  });
  const policy = async (principal: PrincipalLike, operation: OperationLike, context: { time: number; ip: string | undefined }): Promise<DecisionLike> => {
    const lookedUp = principal.kind === 'user' ? options.userAttributes?.(principal) : undefined;
    const agentFound = options.agent ? options.agent(principal.clientId) : agentFromClientId(principal.clientId);
    const owned = options.ownership?.(operation, principal);
    // Lookups that answered at once need no Promise.all (three promises and a tick per call).
    const [attributes, agent, ownership] =
      !isThenable(lookedUp) && !isThenable(agentFound) && !isThenable(owned) ? ([lookedUp, agentFound, owned] as const) : await Promise.all([lookedUp, agentFound, owned]);
    const tenant = options.tenantArgument === undefined ? undefined : operation.arguments[options.tenantArgument];
    const decision = engine.evaluate({
      principal,
      userAttributes: attributes,
      agent,
      operation: { kind: operation.kind as OperationKindName, name: operation.name },
      time: options.clock ? options.clock.now() : context.time,
      ip: context.ip,
      reason: statedReason(operation.meta),
      tenant: typeof tenant === 'string' ? tenant : undefined,
      owner: ownership?.owner,
      ownerTeam: ownership?.ownerTeam,
    });
    return decision.allow ? { allow: true, policies: decision.policies, inputs: decision.inputs } : { allow: false, reason: decision.reason, policies: decision.policies, inputs: decision.inputs };
  };
  return Object.assign(policy, { engine });
}
