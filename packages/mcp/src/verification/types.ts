import type { Principal } from '../principal.ts';

/** Why a bearer token was refused. Every one of these is a 401 invalid_token. */
export type RejectionReason = 'inactive' | 'expired' | 'wrong_audience' | 'wrong_issuer' | 'malformed_claims' | 'revoked' | 'not_an_access_token';

export type Verification = { ok: true; principal: Principal } | { ok: false; reason: RejectionReason };

/**
 * Thrown when the verifier cannot vouch for a token because the authorization
 * server (introspection endpoint or JWKS) is unreachable. The SDK answers 503:
 * fail closed, never success.
 */
export class VerifierUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VerifierUnavailableError';
  }
}

export type RevocationStreamState = 'connected' | 'disconnected' | 'disabled';

export interface TokenVerifier {
  verify(token: string): Promise<Verification>;
  /** For health checks and tests: is the revocation stream live? */
  revocationStream?(): RevocationStreamState;
  /** Stops background work (the revocation stream). */
  close(): Promise<void>;
}

/** The revocation event wire format of `GET {issuer}/revocations/stream` (defined in core, shared with the AS). */
export type { RevocationEvent } from '@gatehouse-auth/core';
