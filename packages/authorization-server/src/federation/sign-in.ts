/**
 * Signing a person in from what their company's IdP vouched for. OIDC (the
 * callback route here) and SAML (the ACS route) both end with a
 * FederatedIdentity whose protocol checks all passed, and call
 * `completeFederatedSignIn`; from here on nothing looks at protocol
 * messages.
 */
import { rolesForGroups, type Actor, type User } from '@gatehouse-auth/core';
import type { FederatedIdentity } from '@gatehouse-auth/sso';
import type { Context } from 'hono';
import type { ServerContext } from '../context.ts';
import { setMemberRoles } from '../admin/revocation.ts';
import { continueAfterLogin } from '../session/continue.ts';
import { currentSession, startSession } from '../session/current-session.ts';
import { clientIp } from '../session/client-ip.ts';
import { errorPage } from '../views/error-page.ts';
import { resolveAccount } from './account.ts';

const REFUSALS = {
  email_taken: 'An account with this email already exists, and your identity provider did not vouch for the email in a way that allows linking it. Ask your administrator.',
  foreign_domain: "This email's domain belongs to another organization, so this identity provider cannot create an account for it. Ask your administrator.",
  no_email: 'Your identity provider did not send an email address, so no account could be created. Ask your administrator.',
} as const;

/** Changes made because the org's directory said so are recorded with the IdP as their actor. */
const directoryActor = (orgId: string, identity: FederatedIdentity): Actor => ({ kind: 'system', id: `idp:${orgId}/${identity.provider}` });

/**
 * Signs the person `identity` describes into Gatehouse and continues their
 * pending authorization, exactly as a password login does:
 *
 * 1. the account: linked to (org, provider, subject); else the account with
 *    the email, only when the IdP verified it and its domain is a verified
 *    domain of the org; else created just in time (account-takeover by an
 *    unverified email claim is refused with a 403 page, nothing written);
 * 2. the membership in `identity.org`: created, or its roles replaced, with
 *    `rolesForGroups(org mapping, identity.groups)` on every sign-in (losing
 *    a role revokes the member's tokens in the org, as an admin's change does);
 * 3. a fresh login session (the previous one of this browser ends), then
 *    back to `/interaction/<interactionId>` when this browser has that
 *    pending authorization, else a "signed in" page.
 *
 * `interactionId` is the pending /authorize interaction the person started
 * from: carry it through the IdP round trip in state bound to this browser
 * (never trust one from the IdP's response). A disabled account is refused.
 */
export async function completeFederatedSignIn(c: Context, ctx: ServerContext, identity: FederatedIdentity, interactionId: string | undefined): Promise<Response> {
  const org = await ctx.store.orgs.getBySlug(identity.org);
  if (!org) return errorPage(404, 'Sign-in failed', 'This organization does not exist.');
  const now = ctx.clock.now();
  const ip = clientIp(c);
  const settings = await ctx.store.federation.getSettings(org.id);
  const roles = rolesForGroups({ groupRoles: settings.groupRoles, defaultRoles: settings.defaultRoles }, identity.groups);
  const actor = directoryActor(org.id, identity);

  const outcome = await ctx.store.transaction(async (tx) => {
    const resolved = await resolveAccount(tx, org.id, identity, now);
    if (!('user' in resolved) || resolved.user.status !== 'active') return { resolved, joined: false };
    const membership = await tx.orgs.getMembership(resolved.user.id, org.id);
    if (!membership) await tx.orgs.upsertMembership({ userId: resolved.user.id, orgId: org.id, roles, createdAt: now, updatedAt: now });
    return { resolved, joined: !membership };
  });
  const { resolved } = outcome;
  if (!('user' in resolved)) {
    await ctx.events.publish({ type: 'login.failed', ...(identity.email ? { email: identity.email.toLowerCase() } : {}), ip, reason: `sso_${resolved.status}` });
    return errorPage(403, 'Sign-in refused', REFUSALS[resolved.status]);
  }
  const user: User = resolved.user;
  if (user.status !== 'active') {
    await ctx.events.publish({ type: 'login.failed', email: user.email, userId: user.id, ip, reason: 'user_disabled' });
    return errorPage(403, 'Sign-in refused', 'This account is disabled.');
  }
  if (resolved.status === 'created') await ctx.events.publish({ type: 'user.created', userId: user.id, actor });
  if (outcome.joined) await ctx.events.publish({ type: 'membership.added', userId: user.id, orgId: org.id, roles, actor });
  else await syncRoles(ctx, org.id, user.id, roles, actor);

  // A fresh session id on every login (session fixation); the old one ends.
  const previous = await currentSession(c, ctx);
  if (previous) await ctx.store.sessions.revoke(previous.session.id, now);
  const { setCookie } = await startSession(ctx, user);
  const userAgent = c.req.header('user-agent');
  await ctx.events.publish({
    type: 'login.succeeded',
    email: user.email,
    userId: user.id,
    ip,
    ...(userAgent ? { userAgent } : {}),
    reason: `sso_${identity.protocol}:${org.slug}/${identity.provider}`,
  });
  return continueAfterLogin(c, ctx, interactionId, [setCookie]);
}

/** The directory is the source of the member's roles: replace them when they differ (setMemberRoles revokes on a lost role). */
async function syncRoles(ctx: ServerContext, orgId: string, userId: string, roles: string[], actor: Actor): Promise<void> {
  const current = await ctx.store.orgs.getMembership(userId, orgId);
  if (!current) return;
  const same = current.roles.length === roles.length && current.roles.every((role) => roles.includes(role));
  if (!same) await setMemberRoles(ctx, orgId, userId, roles, actor);
}
