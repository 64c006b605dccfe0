import { canonicalResourceUri } from '@gatehouse-auth/core';

/**
 * RFC 8707 / MCP "Resource and audience": the token's `aud` (string or
 * array) must name this server, compared in canonical form so
 * `https://MCP.example.com/` equals `https://mcp.example.com`. A token with
 * no audience is never accepted (it could be replayed at any server).
 */
export function audienceMatches(aud: unknown, canonicalResource: string): boolean {
  const values = Array.isArray(aud) ? aud : [aud];
  return values.some((value) => typeof value === 'string' && canonicalResourceUri(value) === canonicalResource);
}

/**
 * audienceMatches for one server, made once: an `aud` spelled exactly as
 * the canonical resource (what an authorization server puts there) matches
 * without being parsed as a URL on every verification; any other spelling
 * is canonicalized as above. The shortcut holds only when `canonicalResource`
 * is its own canonical form, so the answer is always audienceMatches'.
 */
export function audienceMatcher(canonicalResource: string): (aud: unknown) => boolean {
  const exact = canonicalResourceUri(canonicalResource) === canonicalResource;
  const matches = (value: unknown) => typeof value === 'string' && ((exact && value === canonicalResource) || canonicalResourceUri(value) === canonicalResource);
  return (aud) => (Array.isArray(aud) ? aud.some(matches) : matches(aud));
}
