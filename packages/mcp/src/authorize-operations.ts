/**
 * The per-operation decision, before the MCP transport runs anything:
 * scope pre-check (403 insufficient_scope so the client can step up), then
 * the server-wide and per-operation policies (JSON-RPC error with the
 * reason). A denial goes to onDecision at once and its handler never
 * runs; an allowed operation is returned as pending and recorded by
 * outcome-record.ts once its outcome (success or error) is known.
 */
import type { GatedOperations } from './gated-server.ts';
import { errorMessage, POLICY_DENIED, type JsonRpcRequestView } from './jsonrpc.ts';
import { gatedOperation } from './operation-gate.ts';
import type { Decision, DecisionBasis, DecisionRecord, Operation, Policy, RequestContext } from './policy.ts';
import { heldScopes, type Principal } from './principal.ts';
import { isSatisfied, satisfyingScopes, scopesToRequest } from './requirements.ts';

/** An allowed operation whose record waits for its outcome. */
export type PendingDecision = Omit<DecisionRecord, 'result' | 'reason'>;

export type OperationsVerdict = { kind: 'proceed'; allowed: PendingDecision[] } | { kind: 'step_up'; scopes: string[] } | { kind: 'errors'; messages: ReturnType<typeof errorMessage>[] };

export interface AuthorizeInput {
  principal: Principal;
  requests: JsonRpcRequestView[];
  operations: GatedOperations;
  policy: Policy | undefined;
  context: RequestContext;
  /** Who is calling from where (client-context.ts), copied into every record. */
  caller?: Pick<DecisionRecord, 'sessionId' | 'clientName' | 'clientVersion'>;
  onDecision: ((record: DecisionRecord) => void | Promise<void>) | undefined;
}

export async function authorizeOperations(input: AuthorizeInput): Promise<OperationsVerdict> {
  const { principal, context } = input;
  const held = heldScopes(principal);
  const pending = (operation: Operation, scopes: string[]): PendingDecision => {
    const decision: PendingDecision = {
      principal: { subject: principal.subject, kind: principal.kind, orgId: principal.orgId, roles: principal.roles },
      clientId: principal.clientId,
      kind: operation.kind,
      tool: operation.name,
      arguments: operation.arguments,
      scopes,
      ip: context.ip,
      userAgent: context.userAgent,
      at: context.time,
    };
    // By assignment, not `...input.caller` in the literal (a spread there copies the literal again, per call).
    const caller = input.caller;
    if (caller) for (const key in caller) (decision as Record<string, unknown>)[key] = caller[key as keyof typeof caller];
    return decision;
  };
  const report = async (operation: Operation, result: 'deny', reason: string, scopes: string[], basis?: DecisionBasis) => {
    await input.onDecision?.({ ...pending(operation, scopes), ...recorded(basis), result, reason });
  };

  const denials: ReturnType<typeof errorMessage>[] = [];
  const allowed: PendingDecision[] = [];
  for (const request of input.requests) {
    const gated = gatedOperation(request, input.operations);
    if (!gated) continue;
    const { operation, gate } = gated;
    if (!isSatisfied(gate.requires, held)) {
      await report(operation, 'deny', 'insufficient_scope', []).catch(() => {});
      return { kind: 'step_up', scopes: scopesToRequest(gate.requires, held) };
    }
    const scopes = satisfyingScopes(gate.requires, held);
    const { reason, basis } = await firstDenial(principal, operation, context, [input.policy, gate.policy]);
    if (reason !== undefined) {
      denials.push(errorMessage(request.id, POLICY_DENIED, `Forbidden: ${reason}`));
      try {
        await report(operation, 'deny', reason, scopes, basis);
      } catch {
        // The denial stands whether or not it was recorded.
      }
      continue;
    }
    const decision = pending(operation, scopes);
    const reported = recorded(basis);
    if (reported) Object.assign(decision, reported);
    allowed.push(decision);
  }
  if (denials.length > 0) {
    // A batch runs all or nothing: no request runs beside a denied one.
    const ids = new Set(denials.map((denial) => denial.id));
    const rest = input.requests.filter((request) => !ids.has(request.id)).map((request) => errorMessage(request.id, POLICY_DENIED, 'Forbidden: another request in this batch was denied'));
    return { kind: 'errors', messages: [...denials, ...rest] };
  }
  return { kind: 'proceed', allowed };
}

/** The decision log's view of a basis: only what a policy reported. */
const recorded = (basis: DecisionBasis | undefined): Pick<DecisionRecord, 'policies' | 'policyInputs'> | undefined => {
  if (basis?.policies === undefined && basis?.inputs === undefined) return undefined;
  return { policies: basis.policies ?? [], policyInputs: basis.inputs ?? {} };
};

/** The first denial's reason, and the basis of the decision: the denying policy's, or every allowing policy's merged. */
async function firstDenial(principal: Principal, operation: Operation, context: RequestContext, policies: (Policy | undefined)[]): Promise<{ reason?: string; basis?: DecisionBasis }> {
  let allowedBy: DecisionBasis | undefined;
  for (const policy of policies) {
    if (!policy) continue;
    let decision: Decision;
    try {
      const answer = policy(principal, operation, context);
      // Awaited only when it is a promise: a policy that decides at once costs no turn of the microtask queue.
      decision = typeof (answer as { then?: unknown } | null)?.then === 'function' ? await answer : (answer as Decision);
    } catch {
      return { reason: 'the authorization policy failed' };
    }
    if (!decision.allow) return { reason: decision.reason, basis: { policies: decision.policies, inputs: decision.inputs } };
    if (decision.policies !== undefined || decision.inputs !== undefined) {
      allowedBy = { policies: [...(allowedBy?.policies ?? []), ...(decision.policies ?? [])], inputs: { ...allowedBy?.inputs, ...decision.inputs } };
    }
  }
  return allowedBy === undefined ? NOT_DENIED : { basis: allowedBy };
}

/** No policy denied and none reported a basis (most calls): one answer for all of them. */
const NOT_DENIED: { reason?: string; basis?: DecisionBasis } = Object.freeze({});
