/**
 * POST /approvals: a resource server opens a pending approval for one call
 * (issue 15 item 4). Only a registered resource server may, and only for a
 * token of its own resource that is active now; who the approval is bound
 * to (grant, subject, agent, org) is read from the token itself, never
 * taken from the caller. Lives at most five minutes.
 */
import { OAuthError, randomToken, tokenHash, type Client } from '@gatehouse-auth/core';
import type { Approval } from '@gatehouse-auth/store';
import type { ServerContext } from '../context.ts';
import { introspectToken } from '../introspection/introspect.ts';
import type { FormParams } from '../token/form.ts';
import { requireParam } from '../token/form.ts';
import { notifyWebhook } from './webhook.ts';

/** The longest an approval may wait for its decision and its use (issue 15: at most five minutes). */
export const MAX_APPROVAL_TTL_S = 300;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** How long an expired approval is kept (its page still explains it expired), in ms. */
const PURGE_AFTER_MS = 24 * 3600_000;

export interface CallOfToken {
  grantId: string | null;
  subject: string;
  userId: string | null;
  orgId: string | null;
  clientId: string;
  resource: string;
}

/** The token's binding, or invalid_token when it is not an active access token of the caller's resource. */
export async function callOfToken(ctx: ServerContext, caller: Client, token: string): Promise<CallOfToken> {
  const answer = await introspectToken(ctx, caller, token);
  const record = answer.active && answer.token_type === 'Bearer' ? await ctx.store.tokens.get(tokenHash(token)) : undefined;
  if (!answer.active || !record) throw new OAuthError('invalid_token', 'The access token is not active.');
  return { grantId: record.grantId, subject: answer.sub, userId: record.userId, orgId: record.orgId, clientId: record.clientId, resource: record.resource };
}

export function argumentsHashParam(form: FormParams): string {
  const hash = requireParam(form, 'arguments_sha256');
  if (!SHA256_HEX.test(hash)) throw new OAuthError('invalid_request', 'arguments_sha256 must be 64 lower-case hex digits.');
  return hash;
}

function argumentsParam(form: FormParams): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(form.arguments ?? '{}');
  } catch {
    throw new OAuthError('invalid_request', 'arguments must be a JSON object.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OAuthError('invalid_request', 'arguments must be a JSON object.');
  return value as Record<string, unknown>;
}

function ttlParam(form: FormParams): number {
  if (form.ttl === undefined) return MAX_APPROVAL_TTL_S;
  const ttl = Number(form.ttl);
  if (!Number.isInteger(ttl) || ttl < 1) throw new OAuthError('invalid_request', 'ttl must be a positive number of seconds.');
  return Math.min(ttl, MAX_APPROVAL_TTL_S);
}

export const approvalUrl = (ctx: ServerContext, id: string): string => `${ctx.options.issuer}/approvals/${id}`;

export async function openApproval(ctx: ServerContext, caller: Client, form: FormParams): Promise<{ approval_id: string; approval_url: string; expires_at: number }> {
  const call = await callOfToken(ctx, caller, requireParam(form, 'token'));
  const tool = requireParam(form, 'tool');
  const argumentsSha256 = argumentsHashParam(form);
  const args = argumentsParam(form);
  const approverRoles = (form.approver_roles ?? '').split(' ').filter((role) => role !== '');
  const now = ctx.clock.now();
  const approval: Approval = {
    id: randomToken(),
    ...call,
    tool,
    arguments: args,
    argumentsSha256,
    approverRoles,
    selfApproval: form.self_approval !== 'false',
    status: 'pending',
    decidedBy: null,
    createdAt: now,
    expiresAt: now + ttlParam(form) * 1000,
    decidedAt: null,
    consumedAt: null,
  };
  await ctx.store.approvals.create(approval);
  // Approvals are opened at human pace and live minutes: each opening clears those long past, so the
  // table never grows without a scheduler. The audit log keeps their history.
  await ctx.store.approvals.purgeExpired(now - PURGE_AFTER_MS);
  await ctx.events.publish({ type: 'approval.requested', approvalId: approval.id, userId: call.userId, orgId: call.orgId, clientId: call.clientId, resource: call.resource, tool, argumentsSha256 });
  const url = approvalUrl(ctx, approval.id);
  notifyWebhook(ctx, approval, url);
  return { approval_id: approval.id, approval_url: url, expires_at: Math.floor(approval.expiresAt / 1000) };
}
