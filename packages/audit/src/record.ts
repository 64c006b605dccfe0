/**
 * What an audit record holds (seed 002 "Audit log requirements"): who (user,
 * org, agent or service identity, AI client id and name, session), what
 * (type, tool, redacted parameters), the outcome (result and error or
 * reason), when (microseconds), from where (IP, user agent) and under which
 * scopes. `details` carries what a record type adds (the check or policy
 * that decided, claims used, roles changed, token hashes …).
 */
import type { AuditActor, AuditResult } from '@gatehouse-auth/core';
import type { AuditRow } from '@gatehouse-auth/store';
import type { JsonValue } from './canonical.ts';

/** Records without an organization (logins, clients, global config) go here. */
export const SYSTEM_CHAIN = '_system';

/** What a caller hands to AuditLog.append: the wire contract, defined once in core. */
export type { AuditActor, AuditEntry, AuditResult } from '@gatehouse-auth/core';

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
