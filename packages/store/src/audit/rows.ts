/** Mapping between AuditRow and the snake_case columns of audit_records. */
import type { AuditCheckpointRow, AuditRow } from './types.ts';

export interface AuditRecordColumns {
  chain: string;
  seq: number | string; // PostgreSQL BIGINT arrives as a string
  time: string;
  type: string;
  org_id: string | null;
  user_id: string | null;
  agent_id: string | null;
  client_id: string | null;
  client_name: string | null;
  session_id: string | null;
  tool: string | null;
  params: string | null;
  result: string;
  error: string | null;
  scopes: string;
  ip: string | null;
  user_agent: string | null;
  actor: string | null;
  details: string | null;
  hash: string;
}

export interface AuditCheckpointColumns {
  chain: string;
  seq: number | string;
  hash: string;
  at: string;
  kid: string;
  signature: string;
  reason: string;
}

export interface AuditTables {
  audit_records: AuditRecordColumns;
  audit_checkpoints: AuditCheckpointColumns;
  audit_prune_guard: { id: number; active: number };
}

/** Select list that yields AuditRow-shaped objects directly. */
export const AS_AUDIT_ROW = [
  'chain',
  'seq',
  'time',
  'type',
  'org_id as orgId',
  'user_id as userId',
  'agent_id as agentId',
  'client_id as clientId',
  'client_name as clientName',
  'session_id as sessionId',
  'tool',
  'params',
  'result',
  'error',
  'scopes',
  'ip',
  'user_agent as userAgent',
  'actor',
  'details',
  'hash',
] as const;

export const fromColumns = (c: AuditRecordColumns): AuditRow => ({
  chain: c.chain,
  seq: Number(c.seq),
  time: c.time,
  type: c.type,
  orgId: c.org_id,
  userId: c.user_id,
  agentId: c.agent_id,
  clientId: c.client_id,
  clientName: c.client_name,
  sessionId: c.session_id,
  tool: c.tool,
  params: c.params,
  result: c.result,
  error: c.error,
  scopes: c.scopes,
  ip: c.ip,
  userAgent: c.user_agent,
  actor: c.actor,
  details: c.details,
  hash: c.hash,
});

export const checkpointFromColumns = (c: AuditCheckpointColumns): AuditCheckpointRow => ({
  chain: c.chain,
  seq: Number(c.seq),
  hash: c.hash,
  at: c.at,
  kid: c.kid,
  signature: c.signature,
  reason: c.reason as AuditCheckpointRow['reason'],
});
