/**
 * Runs the call gates (call-gate.ts) for the one operation a POST invokes,
 * after it was allowed. An answer is recorded as a denial with the gate's
 * reason (its handler did not run); a gate that throws answers with a
 * JSON-RPC internal error, recorded the same way: fail closed.
 */
import type { PendingDecision } from './authorize-operations.ts';
import type { CallGate, JsonRpcAnswer } from './call-gate.ts';
import type { GatedOperations } from './gated-server.ts';
import { errorMessage, INTERNAL_ERROR, type JsonRpcRequestView } from './jsonrpc.ts';
import { gatedOperation } from './operation-gate.ts';
import type { DecisionRecord, RequestContext } from './policy.ts';
import type { Principal } from './principal.ts';

export interface RunCallGatesInput {
  gates: CallGate[];
  principal: Principal;
  requests: JsonRpcRequestView[];
  operations: GatedOperations;
  context: RequestContext;
  token: string;
  allowed: PendingDecision[];
  onDecision: ((record: DecisionRecord) => void | Promise<void>) | undefined;
  onError: ((error: unknown) => void) | undefined;
}

/** The answer to send instead of running the call, or undefined to run it. */
export async function runCallGates(input: RunCallGatesInput): Promise<JsonRpcAnswer | undefined> {
  for (const request of input.requests) {
    const gated = gatedOperation(request, input.operations);
    if (!gated) continue;
    const pending = input.allowed.find((decision) => decision.kind === gated.operation.kind && decision.tool === gated.operation.name);
    for (const gate of input.gates) {
      let answer: JsonRpcAnswer;
      let reason: string;
      try {
        const verdict = await gate({ principal: input.principal, operation: gated.operation, request, context: input.context, token: input.token });
        if (verdict.kind === 'run') continue;
        ({ message: answer, reason } = verdict);
      } catch (error) {
        input.onError?.(error);
        answer = errorMessage(request.id, INTERNAL_ERROR, 'Internal error: a call gate failed; the call did not run');
        reason = 'a call gate failed';
      }
      if (pending) {
        try {
          await input.onDecision?.({ ...pending, result: 'deny', reason });
        } catch {
          // The answer stands whether or not it was recorded.
        }
      }
      return answer;
    }
  }
  return undefined;
}
