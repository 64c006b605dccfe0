/**
 * What an audit record holds (seed 002 "Audit log requirements"): who (user,
 * org, agent or service identity, AI client id and name, session), what
 * (type, tool, redacted parameters), the outcome (result and error or
 * reason), when (microseconds), from where (IP, user agent) and under which
 * scopes. `details` carries what a record type adds (the check or policy
 * that decided, claims used, roles changed, token hashes …).
 */
import type { AuditRow } from '@gatehouse-auth/store';
import type { JsonValue } from './canonical.ts';

/** Records without an organization (logins, clients, global config) go here. */
export const SYSTEM_CHAIN = '_system';

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
  /** Redacted before storing (redact.ts). */
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

/** A stored record as readers see it. */
export interface AuditRecord {
  chain: string;
  seq: number;
  time: string;
  type: string;
  orgId: string | null;
  userId: string | null;
  agentId: string | null;
  clientId: string | null;
  clientName: string | null;
  sessionId: string | null;
  tool: string | null;
  params: JsonValue | null;
  result: AuditResult;
  error: string | null;
  scopes: string[];
  ip: string | null;
  userAgent: string | null;
  actor: AuditActor | null;
  details: Record<string, JsonValue> | null;
  hash: string;
}

export const chainOf = (orgId: string | null | undefined): string => orgId ?? SYSTEM_CHAIN;

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export const recordFromRow = (row: AuditRow): AuditRecord => ({
  chain: row.chain,
  seq: row.seq,
  time: row.time,
  type: row.type,
  orgId: row.orgId,
  userId: row.userId,
  agentId: row.agentId,
  clientId: row.clientId,
  clientName: row.clientName,
  sessionId: row.sessionId,
  tool: row.tool,
  params: parse<JsonValue>(row.params),
  result: row.result as AuditResult,
  error: row.error,
  scopes: parse<string[]>(row.scopes) ?? [],
  ip: row.ip,
  userAgent: row.userAgent,
  actor: parse<AuditActor>(row.actor),
  details: parse<Record<string, JsonValue>>(row.details),
  hash: row.hash,
});
