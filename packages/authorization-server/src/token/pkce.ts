/**
 * RFC 7636 PKCE verification, S256 only (MCP requires it; `plain` is never
 * accepted). §4.1: code_verifier = 43*128 unreserved characters.
 */
import { createHash } from 'node:crypto';
import { OAuthError, safeEqual } from '@gatehouse-auth/core';

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export const s256 = (verifier: string): string => createHash('sha256').update(verifier, 'ascii').digest('base64url');

/** Throws invalid_grant unless `verifier` is well-formed and S256(verifier) equals `challenge` (§4.6). */
export function verifyPkce(challenge: string | null | undefined, verifier: string | undefined): void {
  // A verifier for a code issued without a challenge is a downgrade attempt (RFC 9700 §4.8): reject it too.
  if (!challenge) throw new OAuthError('invalid_grant', 'PKCE verification failed.', { detail: 'code has no code_challenge' });
  if (verifier === undefined || verifier === '') throw new OAuthError('invalid_grant', 'PKCE verification failed.', { detail: 'code_verifier missing' });
  if (!VERIFIER.test(verifier)) throw new OAuthError('invalid_grant', 'PKCE verification failed.', { detail: 'code_verifier malformed' });
  if (!safeEqual(s256(verifier), challenge)) throw new OAuthError('invalid_grant', 'PKCE verification failed.', { detail: 'code_verifier does not match' });
}
