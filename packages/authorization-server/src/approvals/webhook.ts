/**
 * Pending approvals sent to a webhook (issue 15: "Pending approvals can be
 * sent to a webhook"), so a chat bot or a pager can tell the approver. The
 * body names the tool, the agent, the person and where to decide; it never
 * carries the arguments (the approval page shows them to a signed-in
 * approver only). Fire and forget: a slow or failing receiver never holds
 * the tool call, it is logged.
 */
import type { Approval } from '@gatehouse-auth/store';
import type { ServerContext } from '../context.ts';

const WEBHOOK_TIMEOUT_MS = 5_000;

export function notifyWebhook(ctx: ServerContext, approval: Approval, url: string): void {
  const target = ctx.options.approvals?.webhookUrl;
  if (!target) return;
  const body = {
    type: 'approval.requested',
    approval_id: approval.id,
    approval_url: url,
    tool: approval.tool,
    client_id: approval.clientId,
    user_id: approval.userId,
    org_id: approval.orgId,
    resource: approval.resource,
    approver_roles: approval.approverRoles,
    arguments_sha256: approval.argumentsSha256,
    expires_at: Math.floor(approval.expiresAt / 1000),
  };
  fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) })
    .then(async (response) => {
      await response.body?.cancel();
      if (!response.ok) ctx.log('warn', 'approval webhook answered with an error', { status: response.status, approvalId: approval.id });
    })
    .catch((error: unknown) => ctx.log('warn', 'approval webhook failed', { error: error instanceof Error ? error.message : String(error), approvalId: approval.id }));
}
