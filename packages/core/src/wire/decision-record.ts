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
  /** Set by a caller that knows the MCP session or the client's display name (a gateway). */
  sessionId?: string;
  clientName?: string;
}
