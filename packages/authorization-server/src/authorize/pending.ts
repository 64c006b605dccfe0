/**
 * A pending authorization: the validated request, parked in
 * `store.interactions` under a random id while the user logs in, picks an
 * organization and consents. It is bound to the browser that started it
 * (the SHA-256 of its browser cookie), so an interaction id leaked through
 * a URL cannot be completed from another browser.
 */
import { newId, type Client, type OAuthErrorCode } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import type { AuthorizationRequest, Prompt } from './validate-request.ts';

/** Ten minutes to log in and consent ([BP]: pending state about 10 min). */
export const INTERACTION_TTL_MS = 10 * 60 * 1000;

export interface PendingAuthorization {
  id: string;
  browserHash: string;
  clientId: string;
  redirectUri: string;
  state: string | null;
  resource: string;
  scopes: string[];
  offlineAccess: boolean;
  codeChallenge: string;
  prompts: Prompt[];
  /** When the user logged in during this interaction (satisfies prompt=login). */
  loggedInAt: number | null;
  /** The organization the user picked, valid only for that user. */
  org: { userId: string; orgId: string | null } | null;
  /**
   * False for dynamically registered and metadata-document clients: anyone
   * can create those with any redirect URI, so Gatehouse redirects to them
   * only after the user has signed in (RFC 9700 §4.11.2, open redirector).
   */
  trustedRedirect: boolean;
  /** A request error held back until the user has signed in (untrusted clients only). */
  error: { code: OAuthErrorCode; description: string } | null;
  createdAt: number;
  expiresAt: number;
}

/** Pre-registered clients were vetted by an operator; their redirect URIs are trusted. */
export const trustsRedirect = (client: Client): boolean => client.kind === 'preregistered';

export async function createPending(ctx: ServerContext, request: AuthorizationRequest, browserHash: string): Promise<PendingAuthorization> {
  const now = ctx.clock.now();
  return store(ctx, {
    id: newId('ia'),
    browserHash,
    clientId: request.client.id,
    redirectUri: request.redirectUri,
    state: request.state,
    resource: request.resource.uri,
    scopes: request.scopes,
    offlineAccess: request.offlineAccess,
    codeChallenge: request.codeChallenge,
    prompts: request.prompts,
    loggedInAt: null,
    org: null,
    trustedRedirect: trustsRedirect(request.client),
    error: null,
    createdAt: now,
    expiresAt: now + INTERACTION_TTL_MS,
  });
}

/** Parks a request error of an untrusted client until the user signs in. */
export async function createHeldError(
  ctx: ServerContext,
  target: { client: Client; redirectUri: string; state: string | null },
  error: { code: OAuthErrorCode; description: string },
  browserHash: string,
): Promise<PendingAuthorization> {
  const now = ctx.clock.now();
  return store(ctx, {
    id: newId('ia'),
    browserHash,
    clientId: target.client.id,
    redirectUri: target.redirectUri,
    state: target.state,
    resource: '',
    scopes: [],
    offlineAccess: false,
    codeChallenge: '',
    prompts: [],
    loggedInAt: null,
    org: null,
    trustedRedirect: false,
    error,
    createdAt: now,
    expiresAt: now + INTERACTION_TTL_MS,
  });
}

async function store(ctx: ServerContext, pending: PendingAuthorization): Promise<PendingAuthorization> {
  await ctx.store.interactions.put(pending.id, pending, pending.expiresAt);
  return pending;
}

export const savePending = (ctx: ServerContext, pending: PendingAuthorization): Promise<void> => ctx.store.interactions.put(pending.id, pending, pending.expiresAt);

/** The pending authorization if it exists, is unexpired and belongs to this browser. */
export async function loadPending(ctx: ServerContext, id: string, browserHash: string | undefined): Promise<PendingAuthorization | undefined> {
  if (!browserHash || !/^ia_[A-Za-z0-9_-]{16}$/.test(id)) return undefined;
  const pending = await ctx.store.interactions.get<PendingAuthorization>(id, ctx.clock.now());
  if (!pending || pending.browserHash !== browserHash || pending.expiresAt <= ctx.clock.now()) return undefined;
  return pending;
}

export const finishPending = (ctx: ServerContext, id: string): Promise<void> => ctx.store.interactions.delete(id);
