/**
 * Call gates: checks that run after the scope check and the policy allowed
 * an operation, and may answer the call themselves instead of letting its
 * handler run. Rate limits (a JSON-RPC error with a retry hint) and human
 * approval (an MCP 2026-07-28 InputRequiredResult, or an error telling the
 * person where to approve) are gates; @gatehouse-auth/policy builds them.
 * The first gate that answers wins and the handler never runs; a gate that
 * throws fails the call closed (JSON-RPC internal error).
 */
import type { JsonRpcId, JsonRpcRequestView } from './jsonrpc.ts';
import type { Operation, RequestContext } from './policy.ts';
import type { Principal } from './principal.ts';

export interface CallGateInput {
  principal: Principal;
  operation: Operation;
  /** The JSON-RPC request as sent: its id and params (`_meta`, `requestState`, `inputResponses`). */
  request: JsonRpcRequestView;
  context: RequestContext;
  /**
   * The verified bearer token, for gates that ask the authorization server
   * about this very token (approvals are bound to its grant). Never log it
   * and never hand it to a tool.
   */
  token: string;
}

/** A complete JSON-RPC response to the call: a result (e.g. input_required) or an error. */
export type JsonRpcAnswer = { jsonrpc: '2.0'; id: JsonRpcId } & ({ result: Record<string, unknown> } | { error: { code: number; message: string; data?: unknown } });

export type CallGateVerdict =
  | { kind: 'run' }
  /** Answer the call with `message`; `reason` goes to the decision record (the handler did not run). */
  | { kind: 'answer'; message: JsonRpcAnswer; reason: string };

export type CallGate = (input: CallGateInput) => CallGateVerdict | Promise<CallGateVerdict>;

export const RUN: CallGateVerdict = { kind: 'run' };
