/**
 * Per-organization retention (Organization.auditRetentionDays; null keeps
 * forever). Pruning is the only deletion the audit log has; each prune is a
 * signed cut plus an `audit.pruned` record (AuditLog.prune).
 */
import type { Organization } from '@gatehouse-auth/core';
import type { AuditLog } from './audit-log.ts';
import { SYSTEM_CHAIN } from './record.ts';
import { formatMicros } from './time.ts';

const DAY_MS = 86_400_000;

export async function pruneExpired(
  log: AuditLog,
  orgs: Pick<Organization, 'id' | 'auditRetentionDays'>[],
  nowMs: number,
  systemRetentionDays: number | null = null,
): Promise<{ chain: string; deleted: number }[]> {
  const targets = orgs.map((org) => ({ chain: org.id, days: org.auditRetentionDays }));
  targets.push({ chain: SYSTEM_CHAIN, days: systemRetentionDays });
  const results: { chain: string; deleted: number }[] = [];
  for (const { chain, days } of targets) {
    if (days === null || days === undefined) continue;
    const { deleted } = await log.prune(chain, formatMicros((nowMs - days * DAY_MS) * 1000));
    if (deleted > 0) results.push({ chain, deleted });
  }
  return results;
}
