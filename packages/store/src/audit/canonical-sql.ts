/**
 * The canonical form of a record (packages/audit/src/chain.ts) built by the
 * database, so verification reads one string per record instead of twenty
 * columns. This is an accelerator only: verifyChain recomputes a record
 * that does not match from its full row in JavaScript (the definition)
 * before it reports anything, so an escaping difference here can cost
 * speed, never a false result. SQLite's json_quote and PostgreSQL's
 * to_json(text) escape strings as JSON.stringify does (checked for quotes,
 * backslashes, control characters and non-ASCII).
 */
import { sql, type RawBuilder } from 'kysely';

type Part = [key: string, column: string, kind: 'raw' | 'string' | 'number'];

// Sorted by key, exactly as canonicalRecord writes them.
const PARTS: Part[] = [
  ['actor', 'actor', 'raw'],
  ['agentId', 'agent_id', 'string'],
  ['chain', 'chain', 'string'],
  ['clientId', 'client_id', 'string'],
  ['clientName', 'client_name', 'string'],
  ['details', 'details', 'raw'],
  ['error', 'error', 'string'],
  ['ip', 'ip', 'string'],
  ['orgId', 'org_id', 'string'],
  ['params', 'params', 'raw'],
  ['result', 'result', 'string'],
  ['scopes', 'scopes', 'raw'],
  ['seq', 'seq', 'number'],
  ['sessionId', 'session_id', 'string'],
  ['time', 'time', 'string'],
  ['tool', 'tool', 'string'],
  ['type', 'type', 'string'],
  ['userAgent', 'user_agent', 'string'],
  ['userId', 'user_id', 'string'],
];

export function canonicalExpression(engine: 'sqlite' | 'postgres'): RawBuilder<string> {
  const quote = (column: string) => (engine === 'sqlite' ? `json_quote(${column})` : `to_json(${column})::text`);
  const value = ([, column, kind]: Part) => (kind === 'raw' ? `coalesce(${column}, 'null')` : kind === 'number' ? `CAST(${column} AS TEXT)` : `coalesce(${quote(column)}, 'null')`);
  const pieces = PARTS.map((part, i) => `'${i === 0 ? '{' : ','}"${part[0]}":' || ${value(part)}`);
  return sql.raw<string>(`(${pieces.join(' || ')} || '}')`);
}
