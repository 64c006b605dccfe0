/**
 * The approval page (issue 15 item 4): the person sees the tool, the
 * arguments exactly as the call carries them, the agent asking, whose
 * token it is, the organization and when the request lapses, then
 * approves or denies. Everything shown is escaped by hono/html; the
 * arguments are pretty-printed JSON inside <pre>.
 */
import { html } from 'hono/html';
import type { Approval } from '@gatehouse-auth/store';
import { layout, type Html } from './layout.ts';

export interface ApprovalPageInput {
  issuer: string;
  approval: Approval;
  agentName: string;
  requesterEmail: string | null;
  orgName: string | null;
  csrf: string;
  /** The decision is still open (pending and unexpired). */
  open: boolean;
  /** A line explaining the state when it is not open. */
  notice?: string;
}

export function approvalPage(input: ApprovalPageInput): Html {
  const { approval } = input;
  const expires = new Date(approval.expiresAt).toISOString();
  const form = input.open
    ? html`<form method="post" action="${input.issuer}/approvals/${approval.id}">
<input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit" name="decision" value="approve">Approve this call</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`
    : html`<p role="status">${input.notice ?? ''}</p>`;
  return layout(
    'Approve a tool call',
    html`<p>An AI agent asks to run a tool that needs a person's approval. Approve only if you expect this exact call.</p>
<dl>
<dt>Tool</dt><dd><strong>${approval.tool}</strong></dd>
<dt>Agent</dt><dd>${input.agentName} (<code>${approval.clientId}</code>)</dd>
<dt>On behalf of</dt><dd>${input.requesterEmail ?? approval.subject}</dd>
${input.orgName ? html`<dt>Organization</dt><dd>${input.orgName}</dd>` : ''}
<dt>Server</dt><dd><code>${approval.resource}</code></dd>
<dt>Expires</dt><dd><time datetime="${expires}">${expires}</time></dd>
</dl>
<h2>Arguments</h2>
<pre aria-label="Arguments">${JSON.stringify(approval.arguments, null, 2)}</pre>
${form}`,
  );
}

export function signInToApprovePage(issuer: string, id: string): Html {
  return layout(
    'Sign in to review this call',
    html`<p>An AI agent asks for your approval to run a tool. <a href="${issuer}/login">Sign in</a> and you will come back to this request.</p>
<p>If you sign in on another device, open this link there: <code>${issuer}/approvals/${id}</code></p>`,
  );
}
