/**
 * Adapter for the resource-server SDK's `onDecision` hook (packages/mcp
 * DecisionRecord): every tool call, allowed or denied, becomes an
 * `authz.decision` record carrying the principal, client, tool, redacted
 * arguments, the scopes that satisfied the requirement and the reason.
 */
import type { DecisionRecord } from '@gatehouse-auth/core';
import type { AuditLog } from './audit-log.ts';
import type { AuditEntry } from './record.ts';
import { formatMicros } from './time.ts';

/** What @gatehouse-auth/mcp emits (the wire contract in core: audit does not depend on the SDK). */
export type DecisionLike = DecisionRecord;

export function decisionToEntry(decision: DecisionLike): AuditEntry {
  const service = decision.principal.kind === 'service';
  return {
    type: 'authz.decision',
    result: decision.result === 'allow' ? 'success' : 'denied',
    orgId: decision.principal.orgId,
    userId: service ? null : decision.principal.subject,
    agentId: service ? decision.principal.subject : null,
    clientId: decision.clientId,
    clientName: decision.clientName ?? null,
    sessionId: decision.sessionId ?? null,
    tool: decision.tool,
    params: decision.arguments,
    error: decision.result === 'deny' ? (decision.reason ?? 'denied') : null,
    scopes: decision.scopes,
    ip: decision.ip ?? null,
    userAgent: decision.userAgent ?? null,
    details: {
      operation: decision.kind ?? 'tool',
      // Which check decided: the SDK checks the operation's scope requirement first, then runtime policy.
      decidedBy: decision.result === 'allow' ? 'scope_and_policy' : decision.reason === 'insufficient_scope' ? 'scope_requirement' : 'policy',
      reason: decision.reason ?? null,
      claims: { kind: decision.principal.kind, roles: decision.principal.roles },
    },
    time: formatMicros(Math.round(decision.at * 1000)),
  };
}

/**
 * `protectMcp({ …, onDecision: auditDecisions(log) })`. Resolves when the
 * record is durable, so an operation is not run before its decision is logged.
 */
export const auditDecisions = (log: AuditLog) => async (decision: DecisionLike): Promise<void> => {
  await log.append(decisionToEntry(decision));
};
