/** A verifier that knows a fixed set of tokens, for tests of the gateway's own behaviour (no AS needed). */
import type { Principal, TokenVerifier } from '@gatehouse-auth/mcp';

export const ORG = 'org_acme';

export function person(subject: string, scopes: string[], clientId = 'client_app'): Principal {
  return { subject, kind: 'user', orgId: ORG, roles: ['Engineering'], permissions: [], scopes, clientId, expiresAt: Number.POSITIVE_INFINITY };
}

export function staticVerifier(tokens: Record<string, Principal>): TokenVerifier {
  return {
    verify: async (token) => (tokens[token] ? { ok: true, principal: tokens[token]! } : { ok: false, reason: 'inactive' }),
    close: async () => {},
  };
}
