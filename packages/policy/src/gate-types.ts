/**
 * The shapes @gatehouse-auth/mcp's call gates take (mcp/src/call-gate.ts),
 * restated structurally so this package depends on core only: a gate
 * built here is assignable to the SDK's `callGates` option.
 */
export type JsonRpcId = string | number | null;

export interface GatePrincipal {
  subject: string;
  kind: 'user' | 'service';
  orgId: string | null;
  roles: string[];
  clientId: string;
}

export interface GateOperation {
  kind: 'tool' | 'resource' | 'prompt';
  name: string;
  arguments: Record<string, unknown>;
}

export interface GateInput {
  principal: GatePrincipal;
  operation: GateOperation;
  request: { id: JsonRpcId; method: string; params: Record<string, unknown> };
  context: { time: number; resource: string };
  token: string;
}

export type GateAnswer = { jsonrpc: '2.0'; id: JsonRpcId } & ({ result: Record<string, unknown> } | { error: { code: number; message: string; data?: unknown } });

export type GateVerdict = { kind: 'run' } | { kind: 'answer'; message: GateAnswer; reason: string };

export type Gate = (input: GateInput) => Promise<GateVerdict>;

export const RUN: GateVerdict = { kind: 'run' };

export const jsonRpcError = (id: JsonRpcId, code: number, message: string, data?: unknown): GateAnswer => ({ jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } });

/** The SDK's code for a call refused at runtime (mcp/src/jsonrpc.ts POLICY_DENIED). */
export const FORBIDDEN = -32003;
