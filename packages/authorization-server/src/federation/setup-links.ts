/**
 * Setup links (issue 13 item 5, seed 001's hand-off to IT): an org admin
 * creates an expiring link for one organization; whoever opens it may
 * configure that org's identity providers and SCIM token and nothing else (no session, no
 * other org, no other page). The token is 256 random bits; the store keeps
 * its SHA-256.
 */
import { randomToken, sha256, type Actor } from '@gatehouse-auth/core';
import type { SetupLink } from '@gatehouse-auth/store';
import type { ServerContext } from '../context.ts';

export const DEFAULT_SETUP_LINK_TTL_MS = 7 * 24 * 3_600_000;
export const MAX_SETUP_LINK_TTL_MS = 30 * 24 * 3_600_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const setupLinkHash = (token: string): string => sha256(`setup-link:${token}`);

/** What creating a link needs (the server's context, or the CLI's store, events and clock with the issuer). */
export type SetupLinkDeps = Pick<ServerContext, 'store' | 'events' | 'clock'> & { issuer: string };

export async function createSetupLink(ctx: SetupLinkDeps, orgId: string, actor: Actor, ttlMs = DEFAULT_SETUP_LINK_TTL_MS): Promise<{ url: string; expiresAt: number }> {
  const token = randomToken();
  const now = ctx.clock.now();
  const expiresAt = now + Math.min(Math.max(ttlMs, 60_000), MAX_SETUP_LINK_TTL_MS);
  await ctx.store.federation.createSetupLink({ tokenHash: setupLinkHash(token), orgId, createdBy: `${actor.kind}:${actor.id}`, createdAt: now, expiresAt, revokedAt: null });
  await ctx.events.publish({ type: 'org.updated', orgId, actor });
  return { url: `${ctx.issuer.replace(/\/$/, '')}/setup/${token}`, expiresAt };
}

/** The live link a token opens, or undefined (unknown, malformed, expired or revoked: all alike). */
export async function openSetupLink(ctx: ServerContext, token: string): Promise<SetupLink | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const link = await ctx.store.federation.getSetupLink(setupLinkHash(token));
  if (!link || link.revokedAt !== null || link.expiresAt <= ctx.clock.now()) return undefined;
  return link;
}

/** The actor recorded for changes made through a link: the link, never a person Gatehouse knows. */
export const setupLinkActor = (link: SetupLink): Actor => ({ kind: 'system', id: `setup-link:${link.tokenHash.slice(0, 12)}` });
