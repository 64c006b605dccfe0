/**
 * Mints access and refresh tokens as records plus the strings handed to the
 * client. Nothing is persisted here: the grant decides how (a plain insert,
 * or the atomic refresh rotation). Only SHA-256 hashes go into records.
 *
 * Access tokens are opaque by default (256 random bits, led by their issue
 * time: core's token-hash.ts says why). With `accessTokenFormat: 'jwt'`
 * they are RFC 9068 JWTs signed with the active ES256 key; the record then
 * stores the SHA-256 of the whole JWT string. `tokenHash` gives the key for
 * both, so introspection and revocation treat both formats the same way.
 */
import { SignJWT } from 'jose';
import { formatScope, newId, seconds, timeOrderedToken, tokenHash, type TokenRecord } from '@gatehouse-auth/core';
import { pooledRandomToken as randomToken } from '../random-pool.ts';
import type { ServerContext } from '../context.ts';
import { activeSigningKey } from '../keys/signing-keys.ts';
import { accessTokenTtl } from './catalogue.ts';

export interface MintRequest {
  clientId: string;
  grantId: string | null;
  familyId: string;
  userId: string | null;
  orgId: string | null;
  /** The token's subject: the user id, or `client:<client_id>` for service agents. */
  subject: string;
  resource: string;
  scopes: string[];
  /** Issue a refresh token too (RFC 6749 §6: its scope stays the grant's, not a narrowed request). */
  refresh?: { scopes: string[]; parentHash: string | null };
  /**
   * The grant's lifetime (consent/lifetime.ts): no token outlives `notAfter`;
   * a JWT, whose scope cannot shrink at introspection, also ends at its first
   * scope's own end (`scopeEndsAt`).
   */
  notAfter?: number;
  scopeEndsAt?: number | undefined;
}

export interface TokenResponseBody {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

export interface MintedTokens {
  access: TokenRecord;
  refresh: TokenRecord | undefined;
  records: TokenRecord[];
  body: TokenResponseBody;
}

/** Service agents' subjects live in their own namespace so they can never equal a user id (RFC 9700 §4.15). */
export const serviceSubject = (clientId: string): string => `client:${clientId}`;

export async function mintTokens(ctx: ServerContext, request: MintRequest): Promise<MintedTokens> {
  const now = ctx.clock.now();
  const jwt = ctx.options.accessTokenFormat === 'jwt';
  const notAfter = Math.min(request.notAfter ?? Infinity, jwt ? (request.scopeEndsAt ?? Infinity) : Infinity);
  // Whole seconds, as expires_in says; a lifetime ending sooner cuts the token short.
  const ttl = Math.min(await accessTokenTtl(ctx, request.scopes), Math.max(0, Math.floor((notAfter - now) / 1000)));
  const expiresAt = now + ttl * 1000;
  const accessToken = jwt ? await signJwt(ctx, request, now, expiresAt) : timeOrderedToken(randomToken(), now);
  const access = tokenRecord(request, now, tokenHash(accessToken), 'access', ctx.options.accessTokenFormat, request.scopes, expiresAt, null);
  const body: TokenResponseBody = { access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope: formatScope(request.scopes) };
  if (!request.refresh) return { access, refresh: undefined, records: [access], body };

  const refreshToken = timeOrderedToken(randomToken(), now);
  // Rotation hands out a fresh TTL, but never past the grant's absolute end (seed 002).
  const refreshExpiresAt = Math.min(now + ctx.options.refreshTokenTtl * 1000, request.notAfter ?? Infinity);
  const refresh = tokenRecord(request, now, tokenHash(refreshToken), 'refresh', 'opaque', request.refresh.scopes, refreshExpiresAt, request.refresh.parentHash);
  body.refresh_token = refreshToken;
  return { access, refresh, records: [access, refresh], body };
}

/**
 * One literal with every field. Node 20's V8 pays about 1.3 µs for each
 * property added after a spread (`{ ...base, hash, kind, … }`: ~15 µs a
 * token record, measured), against tens of nanoseconds for a literal.
 */
function tokenRecord(
  request: MintRequest,
  now: number,
  hash: string,
  kind: TokenRecord['kind'],
  format: TokenRecord['format'],
  scopes: string[],
  expiresAt: number,
  parentHash: string | null,
): TokenRecord {
  return {
    hash,
    kind,
    format,
    grantId: request.grantId,
    familyId: request.familyId,
    clientId: request.clientId,
    userId: request.userId,
    orgId: request.orgId,
    resource: request.resource,
    scopes,
    createdAt: now,
    expiresAt,
    revokedAt: null,
    rotatedAt: null,
    parentHash,
  };
}

/** RFC 9068 §2.2 claims; `typ: at+jwt` (§2.1) keeps it from being mistaken for an ID token. */
async function signJwt(ctx: ServerContext, request: MintRequest, now: number, expiresAt: number): Promise<string> {
  const key = await activeSigningKey(ctx);
  const claims: Record<string, unknown> = { client_id: request.clientId, scope: formatScope(request.scopes) };
  if (request.orgId) claims.org_id = request.orgId;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(ctx.options.issuer)
    .setSubject(request.subject)
    .setAudience(request.resource)
    .setJti(newId('at'))
    .setIssuedAt(seconds(now))
    .setExpirationTime(seconds(expiresAt))
    .sign(key.key);
}
