/**
 * RFC 8707 resource indicators. A resource is an absolute URI without a
 * fragment. Canonical form lower-cases scheme and host, drops a default
 * port and a lone trailing slash, so `https://MCP.example.com/` and
 * `https://mcp.example.com` name the same server (MCP 2026-07-28 SHOULD).
 */
export function canonicalResourceUri(value: string): string | undefined {
  if (value.includes('#')) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password) return undefined;
  let path = url.pathname;
  if (path === '/') path = '';
  return `${url.protocol}//${url.host}${path}${url.search}`;
}

export const isLoopbackHost = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
