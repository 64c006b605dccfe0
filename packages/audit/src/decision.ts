/**
 * Adapter for the resource-server SDK's `onDecision` hook (packages/mcp
 * DecisionRecord): every tool call becomes an `authz.decision` record
 * carrying the principal, client (and host application), session, tool,
 * redacted arguments, the scopes that satisfied the requirement and the
 * reason. A denial is `denied`; an allowed call is recorded after it ran:
 * `success`, or `failure` with the error when the handler failed.
 */
import type { DecisionRecord } from '@gatehouse-auth/core';
import type { AuditLog } from './audit-log.ts';
import type { AuditEntry } from './record.ts';
import { formatMicros } from './time.ts';

/** What @gatehouse-auth/mcp emits (the wire contract in core: audit does not depend on the SDK). */
export type DecisionLike = DecisionRecord;

/**
 * `more`: details of the caller's own, after the decision's (a gateway's upstream).
 *
 * `details` is built by assignment, in the order the fields always had, not with conditional spreads:
 * V8 makes each spread into a literal a copy of its own (about a microsecond each), and a gateway
 * formats one of these per call.
 */
export function decisionToEntry(decision: DecisionLike, more?: Record<string, unknown>): AuditEntry {
  const service = decision.principal.kind === 'service';
  const details: Record<string, unknown> = {
    operation: decision.kind ?? 'tool',
    // Which check decided: the SDK checks the operation's scope requirement first, then runtime policy.
    decidedBy: decision.result === 'allow' ? 'scope_and_policy' : decision.reason === 'insufficient_scope' ? 'scope_requirement' : 'policy',
    reason: decision.reason ?? null,
  };
  if (decision.outcome) details.outcome = decision.outcome;
  if (decision.durationMs !== undefined) details.durationMs = decision.durationMs;
  if (decision.clientVersion) details.clientVersion = decision.clientVersion;
  // "Why was this allowed": the determining policies and the inputs they read (arguments stay in params, redacted).
  if (decision.policies) details.policies = decision.policies;
  if (decision.policyInputs) details.policyInputs = decision.policyInputs;
  details.claims = { kind: decision.principal.kind, roles: decision.principal.roles };
  if (more) for (const key in more) details[key] = more[key];
  return {
    type: 'authz.decision',
    result: decision.result === 'deny' ? 'denied' : decision.outcome === 'error' ? 'failure' : 'success',
    orgId: decision.principal.orgId,
    userId: service ? null : decision.principal.subject,
    agentId: service ? decision.principal.subject : null,
    clientId: decision.clientId,
    clientName: decision.clientName ?? null,
    sessionId: decision.sessionId ?? null,
    tool: decision.tool,
    params: decision.arguments,
    error: decision.result === 'deny' ? (decision.reason ?? 'denied') : decision.outcome === 'error' ? (decision.error ?? 'error') : null,
    scopes: decision.scopes,
    ip: decision.ip ?? null,
    userAgent: decision.userAgent ?? null,
    details,
    time: formatMicros(Math.round(decision.at * 1000)),
  };
}

/**
 * `protectMcp({ …, onDecision: auditDecisions(log) })`. Resolves when the
 * record is durable: a denial is logged before it is answered, an allowed
 * call before its result is sent.
 */
export const auditDecisions =
  (log: AuditLog) =>
  async (decision: DecisionLike): Promise<void> => {
    await log.append(decisionToEntry(decision));
  };

/** Structurally the SDK's RefusedTokens (packages/mcp refused-tokens.ts). */
export interface RefusedTokensLike {
  reason: string;
  clientId: string | null;
  count: number;
  from: number;
  to: number;
}

/** One `token.refused` record per (client, reason) and window, carrying how many tokens were refused. */
export function refusedTokensToEntry(refusals: RefusedTokensLike): AuditEntry {
  return {
    type: 'token.refused',
    result: 'denied',
    orgId: null,
    userId: null,
    agentId: null,
    clientId: refusals.clientId,
    error: refusals.reason,
    details: { count: refusals.count, from: formatMicros(refusals.from * 1000), to: formatMicros(refusals.to * 1000) },
    time: formatMicros(refusals.to * 1000),
  };
}

/** `protectMcp({ …, onRefusedTokens: auditRefusedTokens(log) })`. */
export const auditRefusedTokens =
  (log: AuditLog) =>
  async (refusals: RefusedTokensLike): Promise<void> => {
    await log.append(refusedTokensToEntry(refusals));
  };
