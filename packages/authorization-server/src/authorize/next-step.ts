/**
 * What a pending authorization needs next, decided afresh on every step:
 * a login, an organization choice, the consent screen, or nothing (a
 * remembered consent covers it and a code can be issued). /authorize,
 * /login and /interaction/:id all ask this one function, so the rules
 * live in one place.
 */
import type { Context } from 'hono';
import type { Grant, Membership } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { currentSession, type ActiveSession } from '../session/current-session.ts';
import { loadConsentContext, type ConsentContext } from '../consent/load.ts';
import { reconsentReasons, rememberedScopes, type ReconsentReason } from '../consent/reconsent.ts';
import { savePending, type PendingAuthorization } from './pending.ts';

export type NextStep =
  | { kind: 'login' }
  | { kind: 'pick_org'; active: ActiveSession; memberships: Membership[] }
  | { kind: 'consent'; active: ActiveSession; consent: ConsentContext; reasons: ReconsentReason[] }
  | { kind: 'issue'; active: ActiveSession; consent: ConsentContext; grant: Grant; scopes: string[] };

export async function nextStep(c: Context, ctx: ServerContext, pending: PendingAuthorization): Promise<NextStep> {
  const active = await currentSession(c, ctx);
  if (!active || (pending.prompts.includes('login') && pending.loggedInAt === null)) return { kind: 'login' };
  const userId = active.user.id;
  const memberships = await ctx.store.orgs.listMembershipsOfUser(userId);
  let org = pending.org?.userId === userId ? pending.org : null;
  // A choice made before the membership was removed no longer counts.
  if (org && org.orgId !== null && !memberships.some((m) => m.orgId === org?.orgId)) org = null;
  if (!org) {
    const forcePick = pending.prompts.includes('select_account');
    const only = memberships.length === 1 ? memberships[0] : undefined;
    if (memberships.length === 0) org = { userId, orgId: null };
    else if (only && !forcePick) org = { userId, orgId: only.orgId };
    else return { kind: 'pick_org', active, memberships };
    pending.org = org;
    await savePending(ctx, pending);
  }
  const consent = await loadConsentContext(ctx, pending, userId, org.orgId);
  const reasons = reconsentReasons({
    grant: consent.grant,
    choices: consent.choices,
    explicitRequest: consent.explicitRequest,
    definitions: consent.definitions,
    roles: consent.roles,
    promptConsent: pending.prompts.includes('consent'),
    now: ctx.clock.now(),
    criticalReconsentMs: ctx.options.criticalReconsentDays * 86_400_000,
  });
  if (reasons.length > 0 || !consent.grant) return { kind: 'consent', active, consent, reasons };
  return { kind: 'issue', active, consent, grant: consent.grant, scopes: rememberedScopes(consent.grant, consent.choices, consent.explicitRequest) };
}
