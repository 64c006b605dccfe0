/**
 * What the resource-server SDK reports for every authorization decision
 * (allowed or denied) through its `onDecision` hook, and what the audit log
 * turns into an `authz.decision` record. Defined here once: the SDK writes it,
 * the audit package reads it (neither depends on the other).
 */
export type OperationKind = 'tool' | 'resource' | 'prompt';

export interface DecisionRecord {
  principal: { subject: string; kind: 'user' | 'service'; orgId: string | null; roles: string[] };
  clientId: string;
  kind: OperationKind;
  /** Tool/prompt name or resource URI. */
  tool: string;
  arguments: Record<string, unknown>;
  result: 'allow' | 'deny';
  reason: string | undefined;
  /** The scopes that satisfied the requirement (empty on a scope denial). */
  scopes: string[];
  ip: string | undefined;
  userAgent: string | undefined;
  /** Epoch milliseconds. */
  at: number;
  /** Allowed operations only: whether the handler succeeded (a thrown handler, an `isError` result or a JSON-RPC error is 'error'). */
  outcome?: 'success' | 'error';
  /** With outcome 'error': what went wrong (the JSON-RPC error, or that the tool reported an error result). */
  error?: string;
  /** Allowed operations only: milliseconds from the decision to the response. */
  durationMs?: number;
  /** The request's Mcp-Session-Id, when it has one. */
  sessionId?: string;
  /** The host application, from `initialize`'s clientInfo for this session or the request's `_meta`. */
  clientName?: string;
  clientVersion?: string;
  /** The policies that determined the decision (e.g. Cedar policy ids); absent when no policy reported any. */
  policies?: string[];
  /** The inputs those policies read, with this call's values (e.g. `context.hour`, `principal.roles`). */
  policyInputs?: Record<string, unknown>;
}
