/**
 * Where a bearer token may come from: the Authorization header only
 * (MCP: "never in the query string"; RFC 6750 §2.1). A token in the URI
 * query is refused outright, with or without a header, since it has
 * already leaked into logs and history.
 */
import type { RequestHead } from './request-head.ts';

export type BearerExtraction = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'malformed'; description: string };

// RFC 6750 §2.1 b64token.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export function extractBearer(request: RequestHead): BearerExtraction {
  const query = request.url.indexOf('?');
  if (query >= 0 && new URLSearchParams(request.url.slice(query + 1).split('#')[0]).has('access_token'))
    return { kind: 'malformed', description: 'Access tokens are not accepted in the query string' };
  const header = request.headers.get('authorization');
  if (header === null || header === '') return { kind: 'none' };
  const space = header.indexOf(' ');
  const scheme = space < 0 ? header : header.slice(0, space);
  // Another scheme (Basic, DPoP…) is no bearer token: challenge as if none was sent.
  if (scheme.toLowerCase() !== 'bearer') return { kind: 'none' };
  const token = space < 0 ? '' : header.slice(space + 1).trim();
  if (token === '' || !B64TOKEN.test(token)) return { kind: 'malformed', description: 'The Authorization header is not a valid Bearer credential' };
  return { kind: 'token', token };
}
