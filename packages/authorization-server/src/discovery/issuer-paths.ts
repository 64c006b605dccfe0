/**
 * Where things live relative to the issuer. The Hono app is mounted at the
 * origin root, so an issuer with a path (`https://as.example/tenant`) puts
 * its endpoints under that path and its metadata at the path-inserted
 * well-known URIs of RFC 8414 §3.1.
 */

/** The issuer's path without a trailing slash: '' for `https://as.example`, '/tenant' for `https://as.example/tenant/`. */
export function issuerPath(issuer: string): string {
  const path = new URL(issuer).pathname;
  return path === '/' ? '' : path.replace(/\/$/, '');
}

/** Absolute URL of an endpoint under the issuer, e.g. `endpointUrl(issuer, '/token')`. */
export const endpointUrl = (issuer: string, path: string): string => `${issuer.replace(/\/$/, '')}${path}`;

/** Route paths (origin-relative) at which the metadata documents are served. */
export function metadataRoutes(issuer: string): { oauth: string[]; openid: string[] } {
  const p = issuerPath(issuer);
  if (p === '') {
    return { oauth: ['/.well-known/oauth-authorization-server'], openid: ['/.well-known/openid-configuration'] };
  }
  return {
    // RFC 8414 §3.1 path insertion; the bare root stays for clients of MCP 2025-03-26, which built it from the origin.
    oauth: [`/.well-known/oauth-authorization-server${p}`, '/.well-known/oauth-authorization-server'],
    // MCP 2025-11-25 probe order: path-inserted, then OIDC Discovery 1.0 §4's path-appended form.
    openid: [`/.well-known/openid-configuration${p}`, `${p}/.well-known/openid-configuration`],
  };
}
