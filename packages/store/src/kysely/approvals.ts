/**
 * Approvals (migration 0016). `decide` and `consume` are each one
 * conditional UPDATE: the status, the expiry and (for consume) the whole
 * binding are in its WHERE clause, so of two racing callers exactly one
 * changes the row and the other sees zero rows, on both engines.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Approval, ApprovalBinding, ApprovalStatus, ApprovalStore, ConsumeOutcome } from '../approval-types.ts';
import { fromJson, num, numOrNull, toJson } from './codec.ts';
import type { Db } from './context.ts';
import type { ApprovalsTable, Database } from './schema.ts';

const toApproval = (row: Selectable<ApprovalsTable>): Approval => ({
  id: row.id,
  grantId: row.grant_id,
  subject: row.subject,
  userId: row.user_id,
  orgId: row.org_id,
  clientId: row.client_id,
  resource: row.resource,
  tool: row.tool,
  arguments: fromJson<Record<string, unknown>>(row.arguments, {}),
  argumentsSha256: row.arguments_sha256,
  approverRoles: fromJson<string[]>(row.approver_roles, []),
  selfApproval: num(row.self_approval) === 1,
  status: row.status as ApprovalStatus,
  decidedBy: row.decided_by,
  createdAt: num(row.created_at),
  expiresAt: num(row.expires_at),
  decidedAt: numOrNull(row.decided_at),
  consumedAt: numOrNull(row.consumed_at),
});

function whyNotConsumed(row: Approval | undefined, binding: ApprovalBinding, now: number): Extract<ConsumeOutcome, { consumed: false }>['reason'] {
  if (!row) return 'unknown';
  if (row.status === 'consumed') return 'already_consumed';
  if (row.status === 'denied') return 'denied';
  if (row.expiresAt <= now) return 'expired';
  if (row.status !== 'approved') return 'not_approved';
  const bound =
    row.grantId === binding.grantId &&
    row.subject === binding.subject &&
    row.clientId === binding.clientId &&
    row.resource === binding.resource &&
    row.tool === binding.tool &&
    row.argumentsSha256 === binding.argumentsSha256;
  return bound ? 'not_approved' : 'mismatch';
}

export function approvalStore({ db }: Db): ApprovalStore {
  const bound = (binding: ApprovalBinding, now: number) => {
    let query = db
      .updateTable('approvals')
      .set({ status: 'consumed', consumed_at: now })
      .where('status', '=', 'approved')
      .where('expires_at', '>', now)
      .where('subject', '=', binding.subject)
      .where('client_id', '=', binding.clientId)
      .where('resource', '=', binding.resource)
      .where('tool', '=', binding.tool)
      .where('arguments_sha256', '=', binding.argumentsSha256);
    query = binding.grantId === null ? query.where('grant_id', 'is', null) : query.where('grant_id', '=', binding.grantId);
    return query;
  };
  const get = async (id: string, on: Kysely<Database> = db) => {
    const row = await on.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toApproval(row) : undefined;
  };
  return {
    async create(approval) {
      await db
        .insertInto('approvals')
        .values({
          id: approval.id,
          grant_id: approval.grantId,
          subject: approval.subject,
          user_id: approval.userId,
          org_id: approval.orgId,
          client_id: approval.clientId,
          resource: approval.resource,
          tool: approval.tool,
          arguments: toJson(approval.arguments),
          arguments_sha256: approval.argumentsSha256,
          approver_roles: toJson(approval.approverRoles),
          self_approval: approval.selfApproval ? 1 : 0,
          status: approval.status,
          decided_by: approval.decidedBy,
          created_at: approval.createdAt,
          expires_at: approval.expiresAt,
          decided_at: approval.decidedAt,
          consumed_at: approval.consumedAt,
        })
        .execute();
    },
    get: (id) => get(id),
    async decide(id, decision, decidedBy, now) {
      const result = await db
        .updateTable('approvals')
        .set({ status: decision, decided_by: decidedBy, decided_at: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async consume(id, binding, now) {
      if (id !== undefined) {
        const row = await bound(binding, now).where('id', '=', id).returningAll().executeTakeFirst();
        if (row) return { consumed: true, approval: toApproval(row) };
        return { consumed: false, reason: whyNotConsumed(await get(id), binding, now) };
      }
      // The oldest matching approval; the outer conditions are checked again on the row
      // itself, so a racing consumer that picked the same id updates nothing.
      let candidates = db
        .selectFrom('approvals')
        .select('id')
        .where('status', '=', 'approved')
        .where('expires_at', '>', now)
        .where('subject', '=', binding.subject)
        .where('client_id', '=', binding.clientId)
        .where('resource', '=', binding.resource)
        .where('tool', '=', binding.tool)
        .where('arguments_sha256', '=', binding.argumentsSha256);
      candidates = binding.grantId === null ? candidates.where('grant_id', 'is', null) : candidates.where('grant_id', '=', binding.grantId);
      const candidate = await candidates.orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
      if (!candidate) return { consumed: false, reason: 'unknown' };
      const row = await bound(binding, now).where('id', '=', candidate.id).returningAll().executeTakeFirst();
      return row ? { consumed: true, approval: toApproval(row) } : { consumed: false, reason: 'already_consumed' };
    },
    async purgeExpired(before) {
      const result = await db.deleteFrom('approvals').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
