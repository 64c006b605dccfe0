/**
 * One limit on how fast clients come into being, whichever way they do:
 * a dynamic registration (RFC 7591) or a first-seen Client ID Metadata
 * Document (issue 10 #9: sixty document URLs created sixty clients in
 * seven seconds, outside the registration limit). Counted per requester
 * network (IPv4 /24, IPv6 /64: hopping addresses inside one does not help)
 * and, for documents, per document host too (one host cannot mint
 * unbounded clients by varying its paths, whoever relays the URLs). Fixed
 * one-minute windows in the store, so every process behind a load balancer
 * shares the count.
 */
import { OAuthError } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { networkOf } from '../session/network.ts';

const WINDOW_MS = 60_000;

export interface CreationSource {
  /** The requesting client's address (session/client-ip.ts); absent when no request carries one. */
  address?: string | undefined;
  /** The host of a metadata document URL. */
  documentHost?: string;
}

export async function countClientCreation(ctx: ServerContext, source: CreationSource): Promise<void> {
  const now = ctx.clock.now();
  const limit = ctx.options.registrationRateLimitPerMinute;
  const keys = [...(source.address === undefined ? [] : [`register:${networkOf(source.address)}`]), ...(source.documentHost === undefined ? [] : [`register:document-host:${source.documentHost}`])];
  for (const key of keys) {
    const count = await ctx.store.rateLimits.hit(key, WINDOW_MS, now);
    if (count <= limit) continue;
    const windowEnds = Math.floor(now / WINDOW_MS) * WINDOW_MS + WINDOW_MS;
    const retryAfter = Math.max(1, Math.ceil((windowEnds - now) / 1000));
    throw new OAuthError('temporarily_unavailable', 'Too many new clients from this source; try again later.', {
      status: 429,
      headers: { 'retry-after': String(retryAfter) },
      detail: `client creation rate limit (${key}: ${count} in window)`,
      allowRedirect: false,
    });
  }
}
