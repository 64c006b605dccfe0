/**
 * Evaluates Cedar requests against one policy set and the schema generated
 * for one access model. The policy set and schema are parsed once (Cedar's
 * preparsed, per-process caches); each call then only builds its request.
 *
 * Cedar's semantics decide: an applicable `forbid` beats any `permit`, and
 * nothing is allowed unless a `permit` applies. One rule is stricter than
 * Cedar's: a policy that fails to evaluate (an error, which Cedar would
 * skip) denies the call, so a broken `forbid` cannot turn into an allow.
 */
import { randomUUID } from 'node:crypto';
import { actionGroup, actionId, OPERATION_KINDS, operationsOf, type AccessModel } from './access-model.ts';
import { checkTimeZone, timePartsIn } from './clock-parts.ts';
import { PolicyError, type PolicySource } from './policy-files.ts';
import { referencedInputs } from './referenced-inputs.ts';
import { buildRequest, UnknownOperationError, type CedarInput } from './request.ts';
import { cedarSchema } from './schema.ts';
import { validatePolicies } from './validate.ts';
import { cedar } from './wasm.ts';

export interface CedarEngineOptions {
  source: PolicySource;
  model: AccessModel;
  /** IANA time zone of the organization: `context.hour`, `weekday` and `date` are local to it. Default UTC. */
  timeZone?: string;
  /** `context.environment`, e.g. production or staging. Default production. */
  environment?: string;
}

export interface CedarDecision {
  allow: boolean;
  /** Shown to the caller when denied. */
  reason: string;
  /** The determining policy ids: the permits that allowed, the forbids that denied, or the policies that failed. Empty for the default deny. */
  policies: string[];
  /** The inputs the determining policies read, with this call's values. */
  inputs: Record<string, unknown>;
}

export class CedarEngine {
  readonly schema: string;
  private readonly setId = `gatehouse-${randomUUID()}`;
  private readonly parts: ReturnType<typeof timePartsIn>;
  private readonly timeZone: string;
  private readonly environment: string;
  private readonly reads: Map<string, string[]>;
  private readonly reasons = new Map<string, string>();
  private readonly actionSets = new Map<string, string>();

  constructor(private readonly options: CedarEngineOptions) {
    this.timeZone = options.timeZone ?? 'UTC';
    checkTimeZone(this.timeZone);
    this.environment = options.environment ?? 'production';
    this.parts = timePartsIn(this.timeZone);
    this.schema = cedarSchema(options.model);
    const problems = validatePolicies(options.source, this.schema);
    if (problems.length > 0) throw new PolicyError(problems);
    const loaded = [cedar.preparseSchema(this.setId, this.schema)];
    // One preparsed set per action, holding only the policies whose action scope can match it:
    // Cedar's cost grows with every policy it considers, and a policy scoped to other actions
    // can neither apply nor fail for this one, so leaving it out changes no decision.
    for (const [action, policies] of policiesByAction(options.model, options.source)) {
      const id = `${this.setId}/${action}`;
      this.actionSets.set(action, id);
      loaded.push(cedar.preparsePolicySet(id, { staticPolicies: policies }));
    }
    for (const answer of loaded) {
      if (answer.type === 'failure') throw new Error(`Cedar could not load the policies: ${answer.errors.map((e) => e.message).join('; ')}`);
    }
    this.reads = referencedInputs(options.source);
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
      request = buildRequest(this.options.model, input, this.parts(input.time), this.timeZone, this.environment);
    } catch (error) {
      if (error instanceof UnknownOperationError) return { allow: false, reason: error.message, policies: [], inputs: {} };
      throw error;
    }
    const answer = cedar.statefulIsAuthorized({
      principal: request.principal,
      action: request.action,
      resource: request.resource,
      context: request.context,
      entities: request.entities,
      preparsedPolicySetId: this.actionSets.get(request.action.id) ?? '',
      preparsedSchemaName: this.setId,
      validateRequest: true,
    });
    if (answer.type === 'failure') {
      return { allow: false, reason: 'the authorization policy failed', policies: [], inputs: { error: answer.errors.map((e) => e.message).join('; ') } };
    }
    const { decision, diagnostics } = answer.response;
    const inputsOf = (ids: string[]): Record<string, unknown> => {
      const inputs: Record<string, unknown> = {};
      for (const id of ids) for (const path of this.reads.get(id) ?? []) if (path in request.values) inputs[path] = request.values[path];
      return inputs;
    };
    if (diagnostics.errors.length > 0) {
      const failed = [...new Set(diagnostics.errors.map((e) => e.policyId))];
      return {
        allow: false,
        reason: `policy ${failed.join(', ')} could not be evaluated`,
        policies: failed,
        inputs: { ...inputsOf(failed), error: diagnostics.errors.map((e) => e.error.message).join('; ') },
      };
    }
    const ids = diagnostics.reason;
    if (decision === 'allow') return { allow: true, reason: '', policies: ids, inputs: inputsOf(ids) };
    if (ids.length === 0) return { allow: false, reason: `no policy permits ${request.action.id}`, policies: [], inputs: {} };
    const stated = ids.map((id) => this.reasons.get(id)).find((reason) => reason !== undefined);
    return { allow: false, reason: stated ?? `denied by policy ${ids.join(', ')}`, policies: ids, inputs: inputsOf(ids) };
  }
}

/** The policies whose action scope can match each action of the model (`action`, `action == …`, `action in […]`). */
function policiesByAction(model: AccessModel, source: PolicySource): Map<string, Record<string, string>> {
  const scopes = new Map<string, ((action: string, group: string) => boolean) | undefined>();
  for (const [id, text] of Object.entries(source.policies)) {
    const json = cedar.policyToJson(text);
    if (json.type === 'failure') continue;
    const constraint = json.json.action;
    const ids = (entities: { id?: string; __entity?: { id: string } }[]) => new Set(entities.map((e) => e.__entity?.id ?? e.id));
    if (constraint.op === 'All') scopes.set(id, undefined);
    else if (constraint.op === '==' && 'entity' in constraint) {
      const target = ids([constraint.entity as { id: string }]);
      scopes.set(id, (action) => target.has(action));
    } else if (constraint.op === 'in') {
      const target = ids('entity' in constraint ? [constraint.entity as { id: string }] : (constraint.entities as { id: string }[]));
      scopes.set(id, (action, group) => target.has(action) || target.has(group));
    } else scopes.set(id, undefined);
  }
  const sets = new Map<string, Record<string, string>>();
  for (const kind of OPERATION_KINDS) {
    for (const name of Object.keys(operationsOf(model, kind))) {
      const action = actionId(kind, name);
      const policies: Record<string, string> = {};
      for (const [id, text] of Object.entries(source.policies)) {
        const matches = scopes.get(id);
        if (matches === undefined || matches(action, actionGroup(kind))) policies[id] = text;
      }
      sets.set(action, policies);
    }
  }
  return sets;
}
