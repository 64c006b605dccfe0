/**
 * What a pending authorization needs next, decided afresh on every step:
 * a login, an organization choice, the consent screen, or nothing (a
 * remembered consent covers it and a code can be issued). /authorize,
 * /login and /interaction/:id all ask this one function, so the rules
 * live in one place.
 */
import type { Context } from 'hono';
import { OAuthError, servesOrg, type Grant, type Membership } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { currentSession, type ActiveSession } from '../session/current-session.ts';
import { loadConsentContext, type ConsentContext } from '../consent/load.ts';
import { reconsentReasons, rememberedScopes, type ReconsentReason } from '../consent/reconsent.ts';
import { savePending, type PendingAuthorization } from './pending.ts';
import { announceRefusal } from '../resources/served-orgs.ts';
import { requireClientAllowedAtAuthorize } from '../clients/org-policy.ts';

export type NextStep =
  | { kind: 'login' }
  | { kind: 'pick_org'; active: ActiveSession; memberships: Membership[] }
  | { kind: 'consent'; active: ActiveSession; consent: ConsentContext; reasons: ReconsentReason[] }
  | { kind: 'issue'; active: ActiveSession; consent: ConsentContext; grant: Grant; scopes: string[] };

export async function nextStep(c: Context, ctx: ServerContext, pending: PendingAuthorization): Promise<NextStep> {
  const active = await currentSession(c, ctx);
  if (!active || (pending.prompts.includes('login') && pending.loggedInAt === null)) return { kind: 'login' };
  const userId = active.user.id;
  const memberships = await servedMemberships(ctx, pending, userId);
  let org = pending.org?.userId === userId ? pending.org : null;
  // A choice made before the membership was removed (or the org stopped being served) no longer counts.
  if (org && !memberships.some((m) => m.orgId === org?.orgId)) org = null;
  if (!org) {
    const forcePick = pending.prompts.includes('select_account');
    const only = memberships.length === 1 ? memberships[0] : undefined;
    if (only && !forcePick) org = { userId, orgId: only.orgId };
    else return { kind: 'pick_org', active, memberships };
    pending.org = org;
    await savePending(ctx, pending);
  }
  // The org decides which clients reach its resources (issue 16): refused here, before consent, with a page saying why.
  if (org.orgId !== null) await requireClientAllowedAtAuthorize(ctx, { userId, orgId: org.orgId, clientId: pending.clientId, resource: pending.resource });
  const consent = await loadConsentContext(ctx, pending, userId, org.orgId);
  const reasons = reconsentReasons({
    grant: consent.grant,
    choices: consent.choices,
    explicitRequest: consent.explicitRequest,
    definitions: consent.definitions,
    roles: consent.roles,
    promptConsent: pending.prompts.includes('consent'),
    now: ctx.clock.now(),
    options: ctx.options,
  });
  if (reasons.length > 0 || !consent.grant) return { kind: 'consent', active, consent, reasons };
  return { kind: 'issue', active, consent, grant: consent.grant, scopes: rememberedScopes(consent.grant, consent.choices, consent.explicitRequest) };
}

/**
 * The user's memberships in orgs the requested resource serves: the only
 * orgs offered (issue 10: a role name in one org never reaches another
 * org's resource). None at all is a local error page, never a redirect
 * carrying a code; the refusal is recorded in each of the user's orgs.
 */
export async function servedMemberships(ctx: ServerContext, pending: PendingAuthorization, userId: string): Promise<Membership[]> {
  const [all, resource] = await Promise.all([ctx.store.orgs.listMembershipsOfUser(userId), ctx.store.resources.get(pending.resource)]);
  if (!resource) throw new OAuthError('invalid_target', 'The resource is no longer configured.');
  const served = all.filter((m) => servesOrg(resource, m.orgId));
  if (served.length > 0) return served;
  await announceRefusal(ctx, { step: 'authorize', userId, orgIds: all.map((m) => m.orgId), clientId: pending.clientId, resource: resource.uri });
  throw new OAuthError('access_denied', `${resource.name} is not available to any organization you belong to. Ask an administrator of an organization it serves for access.`, {
    allowRedirect: false,
    detail: `user ${userId} has no membership in an org served by ${resource.uri}`,
  });
}
