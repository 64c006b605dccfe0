/**
 * The `resource` parameter of a token request (RFC 8707 §2.2). It must name
 * the resource the grant was for; a client cannot widen the audience at the
 * token endpoint. Compared in canonical form (MCP: `https://MCP.example.com/`
 * is the same server as `https://mcp.example.com`).
 */
import { canonicalResourceUri, OAuthError } from '@gatehouse-auth/core';

export function parseResource(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const canonical = canonicalResourceUri(value);
  if (!canonical) throw new OAuthError('invalid_target', 'The resource parameter must be an absolute URI without a fragment.');
  return canonical;
}

/** Throws invalid_target when a resource was sent and differs from the grant's. */
export function requireSameResource(requested: string | undefined, granted: string): void {
  const resource = parseResource(requested);
  if (resource !== undefined && resource !== (canonicalResourceUri(granted) ?? granted)) {
    throw new OAuthError('invalid_target', 'The resource is not the one this grant was issued for.');
  }
}
