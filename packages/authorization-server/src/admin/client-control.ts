/**
 * Client control per org (issue 16, item 2), as plain functions the
 * operator API, the org-admin API and the CLI share. A block is the one
 * that takes access away: the store blocks and revokes in one transaction
 * (clientPolicies.block), then `token.revoked` (reason `client_blocked`,
 * naming the org) goes out on the revocation stream to the resource
 * servers serving that org, whose caches drop the tokens at once.
 */
import { OAuthError, normalizeHost, type Actor, type ClientPolicyMode, type ClientRuleKind, type OrgClientPolicy } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';

/** What these need of a server context: the CLI passes its own store, bus and clock. */
export type ControlContext = Pick<ServerContext, 'store' | 'events' | 'clock'>;

export interface RuleTarget {
  kind: ClientRuleKind;
  value: string;
}

/** A client id or a host as typed by an admin; a host is normalized, a malformed one refused. */
export function ruleTarget(input: { clientId?: string | undefined; host?: string | undefined }): RuleTarget {
  if ((input.clientId === undefined) === (input.host === undefined)) throw new OAuthError('invalid_request', 'Name exactly one of client_id or host.');
  if (input.clientId !== undefined) {
    if (input.clientId.length === 0 || input.clientId.length > 2048) throw new OAuthError('invalid_request', 'The client_id is malformed.');
    return { kind: 'client', value: input.clientId };
  }
  const host = normalizeHost(input.host ?? '');
  if (!host) throw new OAuthError('invalid_request', 'The host must be a DNS name such as claude.ai (no scheme, port or path).');
  return { kind: 'host', value: host };
}

export async function blockClient(ctx: ControlContext, orgId: string, target: RuleTarget, actor: Actor): Promise<{ tokensRevoked: number; grantsRevoked: number }> {
  const result = await ctx.store.clientPolicies.block(orgId, target, ctx.clock.now());
  await ctx.events.publish({ type: 'org.client_policy_changed', orgId, rule: { ...target, decision: 'block' }, actor });
  // One event naming the org (so only resource servers serving it hear of it) and the hashes revoked;
  // the client id too when the rule named one client (a host may name several).
  const clientId = result.clientIds.length === 1 ? result.clientIds[0] : undefined;
  await ctx.events.publish({ type: 'token.revoked', tokenHashes: result.tokenHashes, reason: 'client_blocked', orgId, ...(clientId ? { clientId } : {}), actor });
  return { tokensRevoked: result.tokenHashes.length, grantsRevoked: result.grantIds.length };
}

/** Allows (or approves a pending) client id or host; lifts a block on it. */
export async function allowClient(ctx: ControlContext, orgId: string, target: RuleTarget, actor: Actor): Promise<void> {
  await ctx.store.clientPolicies.allow(orgId, target, ctx.clock.now());
  await ctx.events.publish({ type: 'org.client_policy_changed', orgId, rule: { ...target, decision: 'allow' }, actor });
}

/** Forgets the rule (allow, block or pending); true when there was one. */
export async function removeClientRule(ctx: ControlContext, orgId: string, target: RuleTarget, actor: Actor): Promise<boolean> {
  const removed = await ctx.store.clientPolicies.removeRule(orgId, target);
  if (removed) await ctx.events.publish({ type: 'org.client_policy_changed', orgId, rule: { ...target, decision: null }, actor });
  return removed;
}

export async function setClientPolicyMode(ctx: ControlContext, orgId: string, mode: ClientPolicyMode, actor: Actor): Promise<void> {
  await ctx.store.clientPolicies.setMode(orgId, mode, ctx.clock.now());
  await ctx.events.publish({ type: 'org.client_policy_changed', orgId, mode, actor });
}

/** The policy as the APIs show it (snake_case, like every admin answer). */
export function describePolicy(policy: OrgClientPolicy) {
  return {
    org_id: policy.orgId,
    mode: policy.mode,
    rules: policy.rules.map((rule) => ({ kind: rule.kind, value: rule.value, decision: rule.decision, updated_at: rule.updatedAt })),
  };
}
