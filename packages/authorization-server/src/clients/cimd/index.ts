/**
 * Resolves a URL client_id through its Client ID Metadata Document: shape
 * check without fetching, SSRF-safe fetch, validation, then a cached
 * `metadata_document` client in the store until `metadataExpiresAt`.
 * Failures are never cached. Concurrent callers for one URL share a fetch.
 */
import { OAuthError, type Client } from '@gatehouse-auth/core';
import type { ServerContext } from '../../context.ts';
import { cacheSeconds } from './cache-control.ts';
import { clientFromDocument } from './document.ts';
import { DocumentFetchError, fetchMetadataDocument } from './fetch.ts';
import { cimdRuntime } from './runtime.ts';
import { checkClientIdUrl } from './url.ts';
import { countClientCreation } from '../creation-limit.ts';

export { checkClientIdUrl, looksLikeUrlClientId } from './url.ts';
export { configureCimd } from './runtime.ts';
export type { HostResolver, ResolvedAddress } from './lookup.ts';

export function resolveMetadataDocumentClient(ctx: ServerContext, clientId: string, cached: Client | undefined, requester?: string): Promise<Client> {
  const { inflight } = cimdRuntime(ctx);
  const pending = inflight.get(clientId);
  if (pending) return pending;
  const fresh = fetchAndStore(ctx, clientId, cached, requester).finally(() => inflight.delete(clientId));
  inflight.set(clientId, fresh);
  return fresh;
}

async function fetchAndStore(ctx: ServerContext, clientId: string, cached: Client | undefined, requester: string | undefined): Promise<Client> {
  const limits = ctx.options.cimd;
  const shape = checkClientIdUrl(clientId, limits);
  if (!shape.ok) throw rejected(shape.reason);
  // A document never seen before is a new client: it counts against the same limit as a registration (issue 10 #9).
  if (!cached) await countClientCreation(ctx, { address: requester, documentHost: shape.url.host });
  let fetched;
  try {
    fetched = await fetchMetadataDocument(shape.url, limits, cimdRuntime(ctx).resolver);
  } catch (error) {
    if (error instanceof DocumentFetchError) throw rejected(error.message);
    throw error;
  }
  const now = ctx.clock.now();
  const expiresAt = now + cacheSeconds(fetched.cacheControl, limits) * 1000;
  const checked = clientFromDocument(clientId, fetched.body, { now, expiresAt, createdAt: cached?.createdAt ?? now });
  if (!checked.ok) throw rejected(`invalid metadata document: ${checked.reason}`);
  await ctx.store.clients.upsert(checked.client);
  if (!cached) await ctx.events.publish({ type: 'client.registered', clientId });
  ctx.log('info', 'client metadata document fetched', { clientId, expiresAt });
  return checked.client;
}

/** draft §5.1: a document that cannot be used makes the client invalid; never redirect (the redirect URIs are unverified). */
function rejected(reason: string): OAuthError {
  return new OAuthError('invalid_client', 'The client metadata document could not be used.', { detail: reason, allowRedirect: false });
}
