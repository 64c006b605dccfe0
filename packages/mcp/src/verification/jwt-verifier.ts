/**
 * JWT access tokens (RFC 9068) verified locally against the AS's JWKS:
 * `typ: at+jwt`, issuer, audience (canonical compare, RFC 8707), expiry.
 * Revocation still reaches a JWT: when a revocation stream is configured,
 * revoked token hashes (the token's stored key, or sha256 of its `jti`) are denied
 * for a day (longer than any access token lives), and a user/client/role event denies every token
 * of that subject issued before the event, forcing a refresh that carries
 * current roles. An unreachable JWKS (unknown key) fails closed.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { sha256, tokenHash, systemClock, type Clock } from '@gatehouse-auth/core';
import { principalFromClaims } from '../principal.ts';
import { audienceMatcher } from './audience.ts';
import { basicAuthorization } from './introspection-verifier.ts';
import { RevocationStream } from './revocation-stream.ts';
import { VerifierUnavailableError, type RevocationEvent, type RevocationStreamState, type TokenVerifier, type Verification } from './types.ts';

export interface JwtVerifierOptions {
  issuer: string;
  resource: string;
  /** Default `{issuer}/jwks.json`. */
  jwksUri?: string;
  /** A key set to use instead of fetching one (tests, pinned keys). */
  keys?: JWTVerifyGetKey;
  algorithms?: string[];
  clockToleranceSeconds?: number;
  /** Revocation stream credentials; without them revocation waits for expiry. */
  revocation?: { clientId: string; clientSecret: string; url?: string };
  clock?: Clock;
  fetch?: typeof fetch;
  onError?: (error: unknown) => void;
}

export class JwtVerifier implements TokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly clock: Clock;
  private readonly stream: RevocationStream | undefined;
  private readonly revokedHashes = new Map<string, number>();
  private readonly cutoffs = new Map<string, number>();
  private readonly audienceMatches: (aud: unknown) => boolean;

  constructor(private readonly options: JwtVerifierOptions) {
    const issuer = options.issuer.replace(/\/$/, '');
    this.audienceMatches = audienceMatcher(options.resource);
    this.clock = options.clock ?? systemClock;
    this.keys = options.keys ?? createRemoteJWKSet(new URL(options.jwksUri ?? `${issuer}/jwks.json`), { timeoutDuration: 3_000 });
    if (options.revocation) {
      this.stream = new RevocationStream({
        url: options.revocation.url ?? `${issuer}/revocations/stream`,
        authorization: basicAuthorization(options.revocation.clientId, options.revocation.clientSecret),
        fetch: options.fetch,
        onError: options.onError,
        onEvent: (event) => this.record(event),
        onConnectionChange: () => {},
      });
      this.stream.start();
    }
  }

  async verify(token: string): Promise<Verification> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: [this.options.issuer, this.options.issuer.replace(/\/$/, '')],
        typ: 'at+jwt',
        algorithms: this.options.algorithms ?? ['ES256', 'EdDSA', 'RS256', 'PS256'],
        requiredClaims: ['exp', 'iat'],
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
        currentDate: new Date(this.clock.now()),
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
      if (jwksUnavailable(error)) throw new VerifierUnavailableError('JWKS unreachable', { cause: error });
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'iss') return { ok: false, reason: 'wrong_issuer' };
      return { ok: false, reason: 'inactive' };
    }
    if (!this.audienceMatches(payload.aud)) return { ok: false, reason: 'wrong_audience' };
    const principal = principalFromClaims(payload);
    if (!principal) return { ok: false, reason: 'malformed_claims' };
    if (this.isRevoked(token, payload, principal.subject, principal.clientId, principal.roles)) return { ok: false, reason: 'revoked' };
    return { ok: true, principal };
  }

  revocationStream(): RevocationStreamState {
    if (!this.stream) return 'disabled';
    return this.stream.connected ? 'connected' : 'disconnected';
  }

  async close(): Promise<void> {
    await this.stream?.close();
  }

  private isRevoked(token: string, payload: Record<string, unknown>, subject: string, clientId: string, roles: string[]): boolean {
    // An AS may key a JWT by the hash of the whole token or of its jti: honour both.
    if (this.revokedHashes.size > 0 && (this.revokedHashes.has(tokenHash(token)) || (typeof payload.jti === 'string' && this.revokedHashes.has(sha256(payload.jti))))) return true;
    const issuedAt = (payload.iat as number) * 1000;
    const keys = [`user:${subject}`, `client:${clientId}`, ...roles.map((role) => `role:${role}`)];
    return keys.some((key) => (this.cutoffs.get(key) ?? -Infinity) >= issuedAt);
  }

  private record(event: RevocationEvent): void {
    const now = this.clock.now();
    for (const [hash, until] of this.revokedHashes) if (until < now) this.revokedHashes.delete(hash);
    // Kept a day: longer than any access token Gatehouse issues.
    for (const hash of event.tokenHashes ?? []) this.revokedHashes.set(hash, now + 86_400_000);
    const at = typeof event.at === 'number' ? event.at : now;
    if (event.userId) this.cutoffs.set(`user:${event.userId}`, at);
    else if (event.clientId) this.cutoffs.set(`client:${event.clientId}`, at);
    if (event.role) this.cutoffs.set(`role:${event.role}`, at);
  }
}

/** The key set could not be obtained (timeout, network, non-200, not a JWKS): the AS's problem, not the token's. */
function jwksUnavailable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  // jose reports a non-200 JWKS response as a generic JOSEError.
  if (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC') return true;
  return (error instanceof TypeError && /fetch/i.test(error.message)) || isNetworkError(error);
}

function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.cause?.code ?? (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|UND_ERR)/.test(code);
}
