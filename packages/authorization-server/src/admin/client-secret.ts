/**
 * Rotating a confidential client's secret (issue 16, item 2): a new random
 * secret, shown once and stored as SHA-256 like every secret; the old one
 * keeps authenticating for `overlapMs` so deployments can switch without
 * downtime; the new one may carry an expiry after which authentication
 * fails with invalid_client. Shared by the admin API and the CLI.
 */
import { OAuthError, randomToken, sha256, type Actor } from '@gatehouse-auth/core';
import type { ControlContext } from './client-control.ts';

/** An overlap longer than this is a second permanent secret, not a rotation. */
export const MAX_OVERLAP_MS = 30 * 86_400_000;

export interface RotatedSecret {
  clientId: string;
  /** The new secret: returned once, never stored in clear. */
  secret: string;
  previousValidUntil: number;
  expiresAt: number | null;
}

export async function rotateClientSecret(
  ctx: ControlContext,
  clientId: string,
  { overlapMs, expiresInMs }: { overlapMs: number; expiresInMs: number | null },
  actor: Actor,
): Promise<RotatedSecret | undefined> {
  if (!Number.isFinite(overlapMs) || overlapMs < 0 || overlapMs > MAX_OVERLAP_MS) throw new OAuthError('invalid_request', 'The overlap must be between 0 and 30 days.');
  if (expiresInMs !== null && (!Number.isFinite(expiresInMs) || expiresInMs <= overlapMs)) {
    throw new OAuthError('invalid_request', 'The new secret must outlive the overlap.');
  }
  const client = await ctx.store.clients.get(clientId);
  if (!client) return undefined;
  if (client.secretHash === null) throw new OAuthError('invalid_request', 'This client has no secret (a public client) to rotate.');
  const now = ctx.clock.now();
  const secret = randomToken(32);
  const expiresAt = expiresInMs === null ? null : now + expiresInMs;
  await ctx.store.clients.rotateSecret(clientId, sha256(secret), { secretExpiresAt: expiresAt, previousExpiresAt: now + overlapMs }, now);
  // Empties every process's client-authentication cache: the old secret's remembered successes go with it.
  await ctx.events.publish({ type: 'client.updated', clientId, actor });
  return { clientId, secret, previousValidUntil: now + overlapMs, expiresAt };
}
