/**
 * Enforcement of an org's client policy (issue 16, item 2): which AI
 * clients may reach the org's resources. Asked at /authorize once the org
 * is chosen, at the token endpoint (code, refresh, client_credentials) and
 * at introspection. Policies are read on hot paths, so they are cached per
 * server context and dropped on `org.client_policy_changed` (and on a
 * resync); the short TTL bounds staleness when another process changed one
 * and its event did not arrive. A block never relies on the cache: it
 * revokes the client's tokens in the store (client-control.ts).
 */
import { clientDecision, OAuthError, type ClientDecision, type OrgClientPolicy } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';

const TTL_MS = 5_000;

interface Slot {
  policies: Map<string, { value: Promise<OrgClientPolicy>; loadedAt: number }>;
}

const slots = new WeakMap<ServerContext, Slot>();

function slotFor(ctx: ServerContext): Slot {
  let slot = slots.get(ctx);
  if (!slot) {
    const created: Slot = { policies: new Map() };
    ctx.events.subscribe((event) => {
      if (event.type === 'org.client_policy_changed') created.policies.delete(event.orgId);
    });
    ctx.events.onResync?.(() => created.policies.clear());
    slots.set(ctx, created);
    slot = created;
  }
  return slot;
}

export async function orgClientPolicy(ctx: ServerContext, orgId: string): Promise<OrgClientPolicy> {
  const { policies } = slotFor(ctx);
  const cached = policies.get(orgId);
  if (cached && Date.now() - cached.loadedAt < TTL_MS) return cached.value;
  const value = ctx.store.clientPolicies.get(orgId);
  policies.set(orgId, { value, loadedAt: Date.now() });
  value.catch(() => {
    if (policies.get(orgId)?.value === value) policies.delete(orgId);
  });
  return value;
}

/** The decision for `clientId` in `orgId`; a token or request without an org is not any org's to refuse. */
export async function decideClient(ctx: ServerContext, orgId: string | null, clientId: string): Promise<ClientDecision> {
  if (orgId === null) return 'allowed';
  return clientDecision(await orgClientPolicy(ctx, orgId), clientId);
}

export interface PolicySubject {
  step: 'authorize' | 'token' | 'introspect';
  userId: string | null;
  orgId: string | null;
  clientId: string;
  resource: string;
}

const REASON = { blocked: 'client_blocked', not_allowed: 'client_not_allowed', pending: 'client_pending' } as const;

/** Records the refusal in the org's audit chain (and the log). */
async function announce(ctx: ServerContext, subject: PolicySubject & { orgId: string }, decision: Exclude<ClientDecision, 'allowed'>): Promise<void> {
  await ctx.events.publish({ type: 'access.refused', reason: REASON[decision], ...subject });
  ctx.log('info', "access refused by the organization's client policy", { step: subject.step, clientId: subject.clientId, orgId: subject.orgId, decision });
}

/**
 * /authorize, after the org is chosen: a refused client gets a local page
 * that says why (never a redirect carrying a code or an error the client
 * could misread as a retryable failure). Under `approval` the client is
 * recorded as pending so the org's admins can see and approve it.
 */
export async function requireClientAllowedAtAuthorize(ctx: ServerContext, subject: Omit<PolicySubject, 'step' | 'orgId'> & { orgId: string }): Promise<void> {
  const decision = await decideClient(ctx, subject.orgId, subject.clientId);
  if (decision === 'allowed') return;
  const [org, client] = await Promise.all([ctx.store.orgs.get(subject.orgId), ctx.store.clients.get(subject.clientId)]);
  const orgName = org?.name ?? 'This organization';
  const clientName = client?.name ?? subject.clientId;
  const rest = { ...subject, step: 'authorize' as const };
  if (decision === 'pending' && (await ctx.store.clientPolicies.addPending(subject.orgId, subject.clientId, ctx.clock.now()))) {
    await ctx.events.publish({ type: 'org.client_policy_changed', orgId: subject.orgId, rule: { kind: 'client', value: subject.clientId, decision: 'pending' } });
  }
  await announce(ctx, rest, decision);
  const message =
    decision === 'pending'
      ? `${clientName} awaits approval by an administrator of ${orgName} before it can be used there. Ask one of them to approve it, then try again.`
      : decision === 'blocked'
        ? `${orgName} has blocked ${clientName}: it cannot be used with this organization's resources.`
        : `${orgName} does not allow ${clientName}: only clients its administrators approved can be used with its resources.`;
  throw new OAuthError('access_denied', message, { status: 403, allowRedirect: false, detail: `client ${subject.clientId} ${decision} in org ${subject.orgId}` });
}

/**
 * Token endpoint: a grant whose client the org no longer lets in is no
 * longer valid (RFC 6749 §5.2 invalid_grant); a service agent refused by its
 * own org is `unauthorized_client`. Nothing is issued or rotated.
 */
export async function requireClientAllowedAtToken(ctx: ServerContext, subject: Omit<PolicySubject, 'step'>, code: 'invalid_grant' | 'unauthorized_client' = 'invalid_grant'): Promise<void> {
  const decision = await decideClient(ctx, subject.orgId, subject.clientId);
  if (decision === 'allowed' || subject.orgId === null) return;
  await announce(ctx, { ...subject, orgId: subject.orgId, step: 'token' }, decision);
  throw new OAuthError(code, 'The organization does not allow this client.', { detail: `client ${subject.clientId} ${decision} in org ${subject.orgId}` });
}
