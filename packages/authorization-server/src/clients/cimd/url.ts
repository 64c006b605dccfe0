/**
 * Client identifier URL shape (draft-ietf-oauth-client-id-metadata-document
 * §3), checked before anything is fetched: https, a path other than `/`, no
 * `.`/`..` segments (also percent-encoded: URL parsing would silently
 * resolve them, so the raw text is inspected), no fragment, no userinfo, a
 * port allowed. The draft allows a query but discourages it; we refuse
 * one (issue 10 #9): a document has one URL, and query variants of it
 * would each be a new client_id, so sixty of them minted sixty clients.
 */
export type ClientIdUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

const MAX_LENGTH = 2048;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when the value looks like a URL client_id at all (resolveClient's routing test). */
export const looksLikeUrlClientId = (value: string): boolean => /^https?:\/\//i.test(value);

export function checkClientIdUrl(value: string, options: { allowLoopback: boolean }): ClientIdUrlCheck {
  if (value.length > MAX_LENGTH) return { ok: false, reason: 'client_id URL is too long' };
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(value)) return { ok: false, reason: 'client_id URL contains whitespace, control characters or backslashes' };
  if (value.includes('#')) return { ok: false, reason: 'client_id URL must not contain a fragment' };
  if (value.includes('?')) return { ok: false, reason: 'client_id URL must not contain a query' };
  const url = URL.parse(value);
  if (!url) return { ok: false, reason: 'client_id is not a URL' };
  const loopbackHttp = options.allowLoopback && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  // Compare the raw scheme: the draft requires the exact "https" scheme.
  if (!value.startsWith('https://') && !(loopbackHttp && value.startsWith('http://'))) {
    return { ok: false, reason: 'client_id URL must use the https scheme' };
  }
  if (url.username || url.password || /^https?:\/\/[^/?]*@/i.test(value)) return { ok: false, reason: 'client_id URL must not contain userinfo' };
  const rawPath = rawPathOf(value);
  if (rawPath === '' || rawPath === '/') return { ok: false, reason: 'client_id URL must have a path' };
  const segments = rawPath.split('/').map((segment) => segment.replace(/%2e/gi, '.'));
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    return { ok: false, reason: 'client_id URL must not contain dot segments' };
  }
  return { ok: true, url };
}

/** The path as written: after the authority, before any query. */
function rawPathOf(value: string): string {
  const afterScheme = value.replace(/^https?:\/\//i, '');
  const slash = afterScheme.search(/[/?]/);
  if (slash === -1) return '';
  const fromPath = afterScheme.slice(slash);
  const query = fromPath.indexOf('?');
  return query === -1 ? fromPath : fromPath.slice(0, query);
}
