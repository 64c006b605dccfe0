/**
 * Evaluates Cedar requests against one policy set, validated at load
 * against the schema generated for one access model. The policy set is
 * parsed once, split by principal type and action, and by the roles a user
 * holds (policy-partitions.ts; Cedar's preparsed, per-process cache); each
 * call then builds its request and decides it with that set compiled to
 * JavaScript (policy-evaluator.ts) when the set and the call's values lie
 * in the subset it models; otherwise it hands Cedar the set, with only the
 * values that set reads (narrow-request.ts), and a call Cedar was handed
 * before, value for value, gets its earlier answer (decision-cache.ts).
 *
 * Cedar's semantics decide: an applicable `forbid` beats any `permit`, and
 * nothing is allowed unless a `permit` applies. One rule is stricter than
 * Cedar's: a policy that fails to evaluate (an error, which Cedar would
 * skip) denies the call, so a broken `forbid` cannot turn into an allow.
 */
import { randomUUID } from 'node:crypto';
import { actionGroup, type AccessModel } from './access-model.ts';
import { checkTimeZone, timePartsIn } from './clock-parts.ts';
import { DecisionCache } from './decision-cache.ts';
import { narrowRequest } from './narrow-request.ts';
import { PolicyError, type PolicySource } from './policy-files.ts';
import { partitionPolicies, partKey, preparedSet, type PolicyPart } from './policy-partitions.ts';
import { compilePolicySet, type CompiledPolicy, type SetEvaluator } from './policy-evaluator.ts';
import { referencedInputs } from './referenced-inputs.ts';
import { buildRequest, InvalidInputError, UnknownOperationError, type CedarInput } from './request.ts';
import { cedarSchema } from './schema.ts';
import { validatePolicies } from './validate.ts';
import { cedar, type PolicyJson } from './wasm.ts';

export interface CedarEngineOptions {
  source: PolicySource;
  model: AccessModel;
  /** IANA time zone of the organization: `context.hour`, `weekday` and `date` are local to it. Default UTC. */
  timeZone?: string;
  /** `context.environment`, e.g. production or staging. Default production. */
  environment?: string;
  /** Most policy sets made for combinations of roles held; past it, the whole part (same decisions, more policies). Default 1024. */
  maxRoleSets?: number;
  /** Most Cedar answers kept for calls seen again (decision-cache.ts); 0 asks Cedar every time. Default 2048. */
  decisionCacheSize?: number;
  /**
   * Decide in JavaScript the calls whose policies and values lie in the subset policy-evaluator.ts models (same
   * decisions, no Wasm round trip); false hands every call to Cedar. Default true.
   */
  compiledPolicies?: boolean;
}

type CedarResponse = Extract<ReturnType<typeof cedar.statefulIsAuthorized>, { type: 'success' }>['response'];

export interface CedarDecision {
  allow: boolean;
  /** Shown to the caller when denied. */
  reason: string;
  /** The determining policy ids: the permits that allowed, the forbids that denied, or the policies that failed. Empty for the default deny. */
  policies: string[];
  /** The inputs the determining policies read, with this call's values. */
  inputs: Record<string, unknown>;
}

/** Preparsed sets per engine for combinations of roles held (each a subset of one part's policies). */
const MAX_ROLE_SETS = 1024;

interface LoadedSet {
  setId: string;
  /** The policies as Cedar gets them; kept until Cedar has them (a compiled set is handed to Cedar on its first call Cedar must decide). */
  policies: Record<string, PolicyJson | string> | undefined;
  /** Whether Cedar needs the principal's roles for this set (a policy still tests them). */
  ancestry: boolean;
  /** The same policies compiled (policy-evaluator.ts); undefined when one is outside its subset. */
  evaluator: SetEvaluator | undefined;
}

interface LoadedPart {
  key: string;
  part: PolicyPart;
  /** The whole part, role scopes as written. */
  whole: LoadedSet;
  /** By the part's roles a principal holds (sorted, newline-joined). */
  byRoles: Map<string, LoadedSet>;
  /** The part's policies compiled, shared by its sets (policy-evaluator.ts). */
  compiled: Map<string, CompiledPolicy | undefined>;
}

export class CedarEngine {
  readonly schema: string;
  private readonly setId = `gatehouse-${randomUUID()}`;
  private readonly clock: ReturnType<typeof timePartsIn>;
  private readonly timeZone: string;
  private readonly environment: string;
  private readonly reads: Map<string, string[]>;
  private readonly reasons = new Map<string, string>();
  private readonly parts = new Map<string, LoadedPart>();
  private roleSets = 0;
  /** Cedar's answers by the exact call it was handed: a caller calling the same tool again costs no evaluation. */
  readonly decisions: DecisionCache<CedarResponse>;
  /** Calls decided by the compiled policies without Cedar, and calls they left to Cedar (not counting answers from the decision cache). */
  readonly answered = { compiled: 0, cedar: 0 };
  /** Each policy's place in its files: determining policies are listed in that order, whatever order Cedar reports them in. */
  private readonly order: Map<string, number>;

  constructor(private readonly options: CedarEngineOptions) {
    this.timeZone = options.timeZone ?? 'UTC';
    checkTimeZone(this.timeZone);
    this.environment = options.environment ?? 'production';
    this.clock = timePartsIn(this.timeZone);
    this.decisions = new DecisionCache(options.decisionCacheSize);
    this.schema = cedarSchema(options.model);
    const problems = validatePolicies(options.source, this.schema);
    if (problems.length > 0) throw new PolicyError(problems);
    for (const [key, part] of partitionPolicies(options.model, options.source)) {
      const compiled = new Map<string, CompiledPolicy | undefined>();
      const whole = this.prepare(`${this.setId}/${key}`, part, 'every role', compiled);
      // Every policy reaches Cedar once at load, so a policy Cedar cannot load fails here, not on a call.
      this.handToCedar(whole);
      this.parts.set(key, { key, part, whole, byRoles: new Map(), compiled });
    }
    this.reads = referencedInputs(options.source);
    this.order = new Map(Object.keys(options.source.policies).map((id, index) => [id, index]));
    for (const [id, text] of Object.entries(options.source.policies)) {
      const json = cedar.policyToJson(text);
      const reason = json.type === 'success' ? json.json.annotations?.reason : undefined;
      if (reason) this.reasons.set(id, reason);
    }
  }

  get policyIds(): string[] {
    return Object.keys(this.options.source.policies);
  }

  evaluate(input: CedarInput): CedarDecision {
    let request;
    try {
      request = buildRequest(this.options.model, input, this.clock(input.time), this.timeZone, this.environment);
    } catch (error) {
      if (error instanceof UnknownOperationError) return { allow: false, reason: error.message, policies: [], inputs: {} };
      if (error instanceof InvalidInputError) return { allow: false, reason: 'the authorization policy failed', policies: [], inputs: { error: error.message } };
      throw error;
    }
    const user = request.principal.type === 'User';
    const loaded = this.parts.get(partKey(user ? 'User' : 'Agent', request.action.id));
    if (!loaded) return { allow: false, reason: `no policy set for ${request.action.id}`, policies: [], inputs: {} };
    const set = this.setForRoles(loaded, user ? input.principal.roles : []);
    let response: CedarResponse | undefined = set.evaluator?.(request);
    if (response !== undefined) this.answered.compiled++;
    else {
      this.handToCedar(set);
      const call = { ...narrowRequest(request, loaded.part.reads, actionGroup(input.operation.kind), set.ancestry), preparsedPolicySetId: set.setId };
      const key = this.decisions.size > 0 ? JSON.stringify(call) : undefined;
      response = key === undefined ? undefined : this.decisions.get(key);
      if (response === undefined) {
        this.answered.cedar++;
        const answer = cedar.statefulIsAuthorized(call);
        if (answer.type === 'failure') {
          return { allow: false, reason: 'the authorization policy failed', policies: [], inputs: { error: answer.errors.map((e) => e.message).join('; ') } };
        }
        response = answer.response;
        if (key !== undefined) this.decisions.set(key, response);
      }
    }
    const { decision, diagnostics } = response;
    const inputsOf = (ids: string[]): Record<string, unknown> => {
      const inputs: Record<string, unknown> = {};
      for (const id of ids) {
        for (const path of this.reads.get(id) ?? []) {
          const values = request.values();
          if (path in values) inputs[path] = values[path];
        }
      }
      return inputs;
    };
    if (diagnostics.errors.length > 0) {
      const failed = this.inFileOrder(new Set(diagnostics.errors.map((e) => e.policyId)));
      return {
        allow: false,
        reason: `policy ${failed.join(', ')} could not be evaluated`,
        policies: failed,
        inputs: { ...inputsOf(failed), error: diagnostics.errors.map((e) => e.error.message).join('; ') },
      };
    }
    const ids = this.inFileOrder(diagnostics.reason);
    if (decision === 'allow') return { allow: true, reason: '', policies: ids, inputs: inputsOf(ids) };
    if (ids.length === 0) return { allow: false, reason: `no policy permits ${request.action.id}`, policies: [], inputs: {} };
    const stated = ids.map((id) => this.reasons.get(id)).find((reason) => reason !== undefined);
    return { allow: false, reason: stated ?? `denied by policy ${ids.join(', ')}`, policies: ids, inputs: inputsOf(ids) };
  }

  /**
   * The preparsed set of a part's policies that can apply to a principal holding these roles, made on first
   * use per combination of the part's roles held. Past MAX_ROLE_SETS combinations, the whole part (same
   * decisions, more policies to evaluate).
   */
  private setForRoles(loaded: LoadedPart, roles: readonly string[]): LoadedSet {
    if (loaded.part.byRole.size === 0) return loaded.whole;
    const held = [...new Set(roles.filter((role) => loaded.part.byRole.has(role)))].sort();
    const heldKey = held.join('\n');
    const known = loaded.byRoles.get(heldKey);
    if (known !== undefined) return known;
    if (this.roleSets >= (this.options.maxRoleSets ?? MAX_ROLE_SETS)) return loaded.whole;
    const set = this.prepare(`${this.setId}/${loaded.key}/roles-${this.roleSets++}`, loaded.part, held, loaded.compiled);
    loaded.byRoles.set(heldKey, set);
    return set;
  }

  /**
   * The set for these roles, compiled; Cedar gets it on first need (handToCedar). Why: a set per combination of
   * roles held, and Cedar's parse of a large one costs milliseconds, while compiled sets rarely need Cedar.
   */
  private prepare(setId: string, part: PolicyPart, roles: readonly string[] | 'every role', compiled: Map<string, CompiledPolicy | undefined>): LoadedSet {
    const { policies, ancestry } = preparedSet(part, roles);
    const evaluator = this.options.compiledPolicies === false ? undefined : compilePolicySet(policies, compiled);
    const set = { setId, policies, ancestry, evaluator };
    if (!evaluator) this.handToCedar(set);
    return set;
  }

  private handToCedar(set: LoadedSet): void {
    if (set.policies === undefined) return;
    const answer = cedar.preparsePolicySet(set.setId, { staticPolicies: set.policies });
    if (answer.type === 'failure') throw new Error(`Cedar could not load the policies: ${answer.errors.map((e) => e.message).join('; ')}`);
    set.policies = undefined;
  }

  private inFileOrder(ids: Iterable<string>): string[] {
    return [...ids].sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
  }
}
