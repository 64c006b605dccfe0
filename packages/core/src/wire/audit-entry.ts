/**
 * What any producer (the authorization server's events, the resource-server
 * SDK's decisions, the CLI's admin changes) hands to the audit log's
 * `AuditLog.append`, seed 002 "Audit log requirements": who (user, org, agent
 * or service identity, AI client id and name, session), what (type, tool,
 * redacted parameters), the outcome, when, from where and under which scopes.
 * Defined here once; @gatehouse-auth/audit re-exports it.
 */
export type AuditResult = 'success' | 'failure' | 'denied';

export interface AuditActor {
  kind: string;
  id: string;
}

/** What a caller hands to AuditLog.append. */
export interface AuditEntry {
  /** e.g. `tool.call`, `authz.decision`, `token.issued`, `login.failed`, `admin.membership.changed`. */
  type: string;
  result: AuditResult;
  orgId?: string | null;
  userId?: string | null;
  /** A service agent (client_credentials) or other non-human identity. */
  agentId?: string | null;
  clientId?: string | null;
  clientName?: string | null;
  sessionId?: string | null;
  tool?: string | null;
  /** Redacted before storing (the audit package's redact.ts). */
  params?: unknown;
  error?: string | null;
  /** The scope(s) that authorized the action. */
  scopes?: string[];
  ip?: string | null;
  userAgent?: string | null;
  actor?: AuditActor | null;
  details?: Record<string, unknown> | null;
  /** Defaults to now; any RFC 3339 timestamp. */
  time?: string;
}
