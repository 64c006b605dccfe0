/**
 * Which Gatehouse account a federated identity is (issue 13): the account
 * already linked to (org, provider, subject); else the account with the
 * asserted email, but only when the IdP verified that email AND its domain
 * is a verified domain of this org and no other org's IdP holds the
 * account (an unverified claim never takes an account over); else a new
 * account, created just in time, unless its email's domain is another
 * org's verified domain.
 */
import { newId, type User } from '@gatehouse-auth/core';
import type { FederatedIdentity } from '@gatehouse-auth/sso';
import type { Store } from '@gatehouse-auth/store';

export type AccountResolution =
  | { status: 'linked'; user: User }
  | { status: 'linked_by_email'; user: User }
  | { status: 'created'; user: User }
  /** An account with this email exists and the claim may not take it over; nothing was written. */
  | { status: 'email_taken' }
  /** The email's domain is a verified domain of another organization: only that org's IdP may create its people. */
  | { status: 'foreign_domain' }
  /** The IdP sent no email and nothing is linked: no account can be made. */
  | { status: 'no_email' };

export const emailDomain = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** May this IdP's email claim name an existing account of this org's people? */
export async function emailVouchedFor(store: Store, orgId: string, identity: FederatedIdentity): Promise<boolean> {
  if (!identity.email || !identity.emailVerified) return false;
  const owner = await store.federation.verifiedDomain(emailDomain(identity.email));
  return owner?.orgId === orgId;
}

/** Runs inside the caller's transaction: the link and the new account commit together. */
export async function resolveAccount(tx: Store, orgId: string, identity: FederatedIdentity, now: number): Promise<AccountResolution> {
  const link = await tx.federation.findIdentity(orgId, identity.provider, identity.subject);
  if (link) {
    const user = await tx.users.get(link.userId);
    if (user) {
      await tx.federation.touchIdentity(orgId, identity.provider, identity.subject, now);
      return { status: 'linked', user };
    }
  }
  if (!identity.email) return { status: 'no_email' };
  const email = identity.email.trim().toLowerCase();
  const existing = await tx.users.getByEmail(email);
  const newLink = (userId: string) => ({ orgId, provider: identity.provider, subject: identity.subject, userId, createdAt: now, lastSignInAt: now });
  if (existing) {
    if (!(await emailVouchedFor(tx, orgId, identity))) return { status: 'email_taken' };
    // An account another org's IdP created or linked is that IdP's person: a second org's IdP never joins it by email.
    const links = await tx.federation.listIdentitiesOfUser(existing.id);
    if (links.some((l) => l.orgId !== orgId)) return { status: 'email_taken' };
    await tx.federation.linkIdentity(newLink(existing.id));
    return { status: 'linked_by_email', user: existing };
  }
  // No IdP creates accounts in a domain another org has proved it owns (it could later be linked by that org's people).
  const owner = await tx.federation.verifiedDomain(emailDomain(email));
  if (owner && owner.orgId !== orgId) return { status: 'foreign_domain' };
  const user: User = { id: newId('usr'), email, name: identity.name?.trim() || email, passwordHash: null, status: 'active', createdAt: now, updatedAt: now };
  await tx.users.create(user);
  await tx.federation.linkIdentity(newLink(user.id));
  return { status: 'created', user };
}
