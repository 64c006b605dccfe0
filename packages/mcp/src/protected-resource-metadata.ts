/**
 * RFC 9728 Protected Resource Metadata. Served at the path-inserted
 * well-known URI (`/.well-known/oauth-protected-resource/mcp` for
 * `https://host/mcp`, §3.1) and at the root one, which MCP clients try next.
 */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: ['header'];
  resource_name?: string;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** The path-inserted metadata path for a resource URI. */
export function metadataPath(resource: string): string {
  const path = new URL(resource).pathname.replace(/\/$/, '');
  return `${WELL_KNOWN}${path}`;
}

/** The absolute metadata URL advertised in `resource_metadata="…"`. */
export const metadataUrl = (resource: string): string => new URL(metadataPath(resource), resource).href;

/** Both paths this server answers metadata on. */
export const metadataPaths = (resource: string): string[] => [...new Set([metadataPath(resource), WELL_KNOWN])];

export function buildMetadata(input: { resource: string; issuer: string; scopesSupported: string[]; resourceName?: string }): ProtectedResourceMetadata {
  return {
    resource: input.resource,
    authorization_servers: [input.issuer],
    // MCP "Refresh tokens": the RS SHOULD NOT advertise offline_access.
    scopes_supported: input.scopesSupported.filter((scope) => scope !== 'offline_access'),
    bearer_methods_supported: ['header'],
    ...(input.resourceName ? { resource_name: input.resourceName } : {}),
  };
}
