/**
 * Opaque tokens: RFC 7662 introspection with client_secret_basic, cached by
 * tokenHash(token), the key the authorization server stores it under. The cache is only as fresh as the revocation stream allows:
 * with the stream connected an entry lives `cacheTtlMs`; while it is down,
 * entries live `disconnectedCacheTtlMs` at most, and everything cached is
 * forgotten on every disconnect and reconnect (events may have been missed).
 * When the AS cannot be reached and the cache cannot vouch, verification
 * throws VerifierUnavailableError (fail closed).
 */
import { tokenHash, systemClock, type Clock } from '@gatehouse-auth/core';
import { principalFromClaims } from '../principal.ts';
import { audienceMatcher } from './audience.ts';
import { RevocationStream } from './revocation-stream.ts';
import { TokenCache } from './token-cache.ts';
import { formPoster, NoNodeHttpError, type FormPoster } from './form-post.ts';
import { VerifierUnavailableError, type RevocationStreamState, type TokenVerifier, type Verification } from './types.ts';

export interface IntrospectionVerifierOptions {
  issuer: string;
  /** Canonical resource URI of this server. */
  resource: string;
  clientId: string;
  clientSecret: string;
  /** Default `{issuer}/introspect`. */
  endpoint?: string;
  /** Default `{issuer}/revocations/stream`; false disables the subscription. */
  revocationStream?: string | false;
  /** Default 60 s with the stream, 5 s without. */
  cacheTtlMs?: number;
  /** Default 1 s: the bound on serving from cache while the stream is down. */
  disconnectedCacheTtlMs?: number;
  /** Introspection request timeout, default 3 s. */
  timeoutMs?: number;
  maxCacheEntries?: number;
  /** Revocation stream reconnect backoff (default 250 ms doubling to 10 s) and silence limit (45 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  idleTimeoutMs?: number;
  clock?: Clock;
  fetch?: typeof fetch;
  onError?: (error: unknown) => void;
  /**
   * Told how each verification was answered, for metrics: `hit` from the
   * cache, `coalesced` by an introspection already in flight for the same
   * token, `miss` by a new introspection. A prom-client counter fits:
   * `(result) => counter.inc({ result })` (docs/sdk.md, Metrics). Keeps
   * this package free of a metrics dependency.
   */
  onCacheLookup?: (result: 'hit' | 'coalesced' | 'miss') => void;
}

/** RFC 6749 §2.3.1: form-encode both parts before Base64. */
export const basicAuthorization = (clientId: string, clientSecret: string): string => `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;

export class IntrospectionVerifier implements TokenVerifier {
  readonly cache: TokenCache;
  private readonly stream: RevocationStream | undefined;
  private readonly inFlight = new Map<string, Promise<Verification>>();
  private readonly authorization: string;
  /** The introspection request's headers: the same for every token. */
  private readonly headers: Record<string, string>;
  private readonly endpoint: string;
  /** A keep-alive connection of our own (form-post.ts), unless the caller brought its own `fetch`. */
  private poster: FormPoster | undefined;
  private readonly clock: Clock;
  /** Bumped by every event and connection change; results fetched across a bump are not cached. */
  private generation = 0;
  /** Checks made of the options once, not on every introspection. */
  private readonly issuer: string;
  private readonly audienceMatches: (aud: unknown) => boolean;

  constructor(private readonly options: IntrospectionVerifierOptions) {
    const issuer = options.issuer.replace(/\/$/, '');
    this.issuer = issuer;
    this.audienceMatches = audienceMatcher(options.resource);
    this.cache = new TokenCache(options.maxCacheEntries);
    this.authorization = basicAuthorization(options.clientId, options.clientSecret);
    this.headers = { authorization: this.authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    this.endpoint = options.endpoint ?? `${issuer}/introspect`;
    this.poster = options.fetch === undefined ? formPoster(this.endpoint, this.headers) : undefined;
    this.clock = options.clock ?? systemClock;
    if (options.revocationStream !== false) {
      this.stream = new RevocationStream({
        url: options.revocationStream ?? `${issuer}/revocations/stream`,
        authorization: this.authorization,
        fetch: options.fetch,
        onError: options.onError,
        initialBackoffMs: options.initialBackoffMs,
        maxBackoffMs: options.maxBackoffMs,
        idleTimeoutMs: options.idleTimeoutMs,
        onEvent: (event) => {
          this.generation++;
          this.cache.apply(event);
        },
        onConnectionChange: () => {
          this.generation++;
          this.cache.clear();
        },
      });
      this.stream.start();
    }
  }

  get streamConnected(): boolean {
    return this.stream?.connected ?? false;
  }

  async verify(token: string): Promise<Verification> {
    const hash = tokenHash(token);
    const now = this.clock.now();
    const cached = this.cache.get(hash, now);
    if (cached) {
      this.options.onCacheLookup?.('hit');
      if (!cached.principal) return { ok: false, reason: 'inactive' };
      if (cached.principal.expiresAt <= now) return { ok: false, reason: 'expired' };
      return { ok: true, principal: cached.principal };
    }
    const pending = this.inFlight.get(hash);
    if (pending) {
      this.options.onCacheLookup?.('coalesced');
      return pending;
    }
    this.options.onCacheLookup?.('miss');
    const started = this.introspectAndCache(token, hash).finally(() => this.inFlight.delete(hash));
    this.inFlight.set(hash, started);
    return started;
  }

  revocationStream(): RevocationStreamState {
    if (!this.stream) return 'disabled';
    return this.stream.connected ? 'connected' : 'disconnected';
  }

  async close(): Promise<void> {
    this.poster?.close();
    await this.stream?.close();
    this.cache.clear();
  }

  private ttl(): number {
    if (!this.stream) return this.options.cacheTtlMs ?? 5_000;
    if (!this.stream.connected) return Math.min(this.options.disconnectedCacheTtlMs ?? 1_000, this.options.cacheTtlMs ?? 60_000);
    return this.options.cacheTtlMs ?? 60_000;
  }

  private async introspectAndCache(token: string, hash: string): Promise<Verification> {
    const generation = this.generation;
    const claims = await this.introspect(token);
    const now = this.clock.now();
    const verification = this.evaluate(claims, now);
    if (generation === this.generation) {
      const ttlEnd = now + this.ttl();
      // Refusals are cached too: inactive, expired, foreign audience never turn valid again.
      // Never past a time-boxed scope's end (scope_exp): the next introspection no longer lists it.
      if (verification.ok) this.cache.set(hash, verification.principal, Math.min(ttlEnd, verification.principal.expiresAt, verification.principal.scopesChangeAt ?? Infinity), now);
      else this.cache.set(hash, null, ttlEnd, now);
    }
    return verification;
  }

  private evaluate(claims: Record<string, unknown>, now: number): Verification {
    if (claims.active !== true) return { ok: false, reason: 'inactive' };
    if (typeof claims.token_type === 'string' && /refresh/i.test(claims.token_type)) return { ok: false, reason: 'not_an_access_token' };
    if (claims.iss !== undefined && (typeof claims.iss !== 'string' || claims.iss.replace(/\/$/, '') !== this.issuer)) return { ok: false, reason: 'wrong_issuer' };
    if (!this.audienceMatches(claims.aud)) return { ok: false, reason: 'wrong_audience' };
    const principal = principalFromClaims(claims);
    if (!principal) return { ok: false, reason: 'malformed_claims' };
    if (principal.expiresAt <= now) return { ok: false, reason: 'expired' };
    return { ok: true, principal };
  }

  private async introspect(token: string): Promise<Record<string, unknown>> {
    const headers = this.headers;
    const form = new URLSearchParams({ token, token_type_hint: 'access_token' }).toString();
    if (this.poster) {
      let answer: { status: number; body: string } | undefined;
      try {
        answer = await this.poster.post(form, this.options.timeoutMs ?? 3_000);
      } catch (error) {
        if (!(error instanceof NoNodeHttpError)) throw new VerifierUnavailableError('introspection endpoint unreachable', { cause: error });
        this.poster = undefined;
      }
      if (answer !== undefined) {
        // 401 here means OUR credentials are wrong: an operator problem, still fail closed.
        if (answer.status !== 200) throw new VerifierUnavailableError(`introspection endpoint answered ${answer.status}`);
        const text = answer.body;
        return introspectionObject(() => JSON.parse(text) as unknown);
      }
    }
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(this.endpoint, {
        method: 'POST',
        headers,
        body: form,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3_000),
      });
    } catch (error) {
      throw new VerifierUnavailableError('introspection endpoint unreachable', { cause: error });
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      // 401 here means OUR credentials are wrong: an operator problem, still fail closed.
      throw new VerifierUnavailableError(`introspection endpoint answered ${response.status}`);
    }
    return introspectionObject(() => response.json() as Promise<unknown>);
  }
}

async function introspectionObject(parse: () => unknown): Promise<Record<string, unknown>> {
  try {
    const body = await parse();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not a JSON object');
    return body as Record<string, unknown>;
  } catch (error) {
    throw new VerifierUnavailableError('introspection response is not a JSON object', { cause: error });
  }
}
