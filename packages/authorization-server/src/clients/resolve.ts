/**
 * From a client_id to a Client. Registered clients (pre-registered,
 * dynamic, service) come from the store. A URL client_id is a Client ID
 * Metadata Document when that feature is on: served from the store while
 * its cache entry is fresh, refetched after. Unknown or disabled clients are
 * `invalid_client` with `allowRedirect: false`: a redirect URI of a client we
 * cannot identify must never receive an error redirect (RFC 6749 §4.1.2.1).
 */
import { OAuthError, type Client } from '@gatehouse-auth/core';
import type { ServerContext } from '../context.ts';
import { looksLikeUrlClientId, resolveMetadataDocumentClient } from './cimd/index.ts';

/** `requester` is the asking client's address: a first-seen metadata document counts against its network's client-creation limit. */
export async function resolveClient(ctx: ServerContext, clientId: string, requester?: string): Promise<Client> {
  if (!clientId || clientId.length > 2048) throw unknownClient('empty or oversized client_id');
  const stored = await ctx.store.clients.get(clientId);
  if (stored?.status === 'disabled') throw unknownClient('client is disabled');
  if (stored && stored.kind !== 'metadata_document') return stored;
  if (!ctx.options.cimd.enabled || !looksLikeUrlClientId(clientId)) throw unknownClient('no such client');
  if (stored && stored.metadataExpiresAt !== null && stored.metadataExpiresAt > ctx.clock.now()) return stored;
  return resolveMetadataDocumentClient(ctx, clientId, stored, requester);
}

function unknownClient(detail: string): OAuthError {
  return new OAuthError('invalid_client', 'Unknown or disabled client.', { detail, allowRedirect: false });
}
