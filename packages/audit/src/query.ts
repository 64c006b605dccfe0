/**
 * The customer admin's view: only their own organization's chain, filtered
 * and paged by seq. The org id comes from the caller's authenticated
 * session, never from the filter: AuditQuery has no chain or org field, so
 * no filter value can reach another organization's records.
 */
import type { AuditStore } from '@gatehouse-auth/store';
import { recordFromRow, SYSTEM_CHAIN, type AuditRecord, type AuditResult } from './record.ts';
import { normalizeTime } from './time.ts';

export interface AuditQuery {
  userId?: string;
  clientId?: string;
  tool?: string;
  result?: AuditResult;
  type?: string;
  /** Inclusive, RFC 3339. */
  from?: string;
  /** Exclusive, RFC 3339. */
  to?: string;
  /** `nextCursor` of the previous page. */
  cursor?: number;
  /** Newest first by default. */
  order?: 'asc' | 'desc';
  /** 1..1000, default 100. */
  limit?: number;
}

export interface AuditPage {
  records: AuditRecord[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: number | null;
}

export const MAX_PAGE = 1000;

/** Records of one organization (pass SYSTEM_CHAIN's owner via systemAuditReader for operators). */
export function orgAuditReader(store: AuditStore, orgId: string) {
  if (orgId.length === 0 || orgId === SYSTEM_CHAIN) throw new Error('an organization id is required');
  return { query: (query: AuditQuery = {}) => queryChain(store, orgId, query) };
}

/** Operators only: records that belong to no organization (logins, clients, global config). */
export function systemAuditReader(store: AuditStore) {
  return { query: (query: AuditQuery = {}) => queryChain(store, SYSTEM_CHAIN, query) };
}

async function queryChain(store: AuditStore, chain: string, query: AuditQuery): Promise<AuditPage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? 100), 1), MAX_PAGE);
  const order = query.order ?? 'desc';
  const rows = await store.find({
    chain,
    userId: query.userId,
    clientId: query.clientId,
    tool: query.tool,
    result: query.result,
    type: query.type,
    from: query.from === undefined ? undefined : normalizeTime(query.from),
    to: query.to === undefined ? undefined : normalizeTime(query.to),
    cursor: query.cursor,
    order,
    limit,
  });
  return {
    records: rows.map(recordFromRow),
    nextCursor: rows.length === limit ? rows[rows.length - 1]!.seq : null,
  };
}
