/**
 * The hash chain: h_n = SHA-256(h_{n-1} ‖ canonical(r_n)), base64url, where
 * h_0 is the empty string and canonical(r_n) is the record's canonical JSON
 * (every stored column except `hash`, chain and seq included, so moving a
 * record to another position or chain breaks the link).
 *
 * canonicalRecord builds that JSON straight from the stored row: the
 * JSON-valued columns already hold canonical JSON text and are embedded as
 * stored, so verification never parses JSON and covers the exact bytes in
 * the database. The key order below is the sorted order of the field names.
 */
import { createHash } from 'node:crypto';
import type { AuditRow } from '@gatehouse-auth/store';

export const GENESIS_HASH = '';

const str = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));
const raw = (value: string | null): string => (value === null ? 'null' : value);

export function canonicalRecord(row: Omit<AuditRow, 'hash'>): string {
  return (
    `{"actor":${raw(row.actor)}` +
    `,"agentId":${str(row.agentId)}` +
    `,"chain":${str(row.chain)}` +
    `,"clientId":${str(row.clientId)}` +
    `,"clientName":${str(row.clientName)}` +
    `,"details":${raw(row.details)}` +
    `,"error":${str(row.error)}` +
    `,"ip":${str(row.ip)}` +
    `,"orgId":${str(row.orgId)}` +
    `,"params":${raw(row.params)}` +
    `,"result":${str(row.result)}` +
    `,"scopes":${raw(row.scopes)}` +
    `,"seq":${Number.isSafeInteger(row.seq) ? row.seq : JSON.stringify(String(row.seq))}` +
    `,"sessionId":${str(row.sessionId)}` +
    `,"time":${str(row.time)}` +
    `,"tool":${str(row.tool)}` +
    `,"type":${str(row.type)}` +
    `,"userAgent":${str(row.userAgent)}` +
    `,"userId":${str(row.userId)}}`
  );
}

export const chainHash = (previousHash: string, canonical: string): string =>
  createHash('sha256')
    .update(previousHash + canonical)
    .digest('base64url');
