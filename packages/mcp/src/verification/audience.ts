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
