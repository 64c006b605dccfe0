/**
 * Redirect URI rules. Matching is exact string comparison (RFC 9700 §2.1,
 * §4.1.3; OAuth 2.1 §2.3.1) with one exception: loopback http redirects
 * match on every raw component except the port, because native apps bind
 * an ephemeral port at request time (RFC 8252 §7.3). Nothing is normalised
 * before comparing, so `/cb/`, `/CB`, `%2F`, dot segments and default-port
 * spellings never match `/cb`.
 */

/** Raw loopback http URI: host literal, optional port, rest (path, query). */
const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::(\d{1,5}))?([/?].*)?$/;

interface LoopbackParts {
  host: string;
  rest: string;
}

function loopbackParts(uri: string): LoopbackParts | undefined {
  const m = LOOPBACK_HTTP.exec(uri);
  if (!m) return undefined;
  const port = m[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
  return { host: m[1] ?? '', rest: m[3] ?? '' };
}

/**
 * True when `requested` is allowed by one of `registered`. `localhost`,
 * `127.0.0.1` and `[::1]` never stand in for each other (RFC 8252 §8.3), and
 * https gets no port exception.
 */
export function matchRedirectUri(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  if (requested.includes('#')) return false;
  const wanted = loopbackParts(requested);
  if (!wanted) return false;
  return registered.some((candidate) => {
    const parts = loopbackParts(candidate);
    return parts !== undefined && parts.host === wanted.host && parts.rest === wanted.rest;
  });
}

export type RedirectUriCheck = { ok: true } | { ok: false; reason: string };

/** Schemes that run code or read local data in a browser (oidc-provider's list). */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'blob:', 'file:', 'about:', 'filesystem:']);
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** RFC 8252 §7.1: a private-use scheme is a reversed domain name, e.g. `com.example.app`. */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+:$/;
const MAX_LENGTH = 2000;

/**
 * Registration-time validation: an absolute URI without a fragment, using
 * https, http on a loopback host only (RFC 9700 §2.6, RFC 8252 §7.3), or a
 * reverse-domain private-use scheme for native apps (RFC 8252 §7.1).
 */
export function validateRedirectUri(value: string): RedirectUriCheck {
  if (value.length === 0 || value.length > MAX_LENGTH) return { ok: false, reason: 'redirect URI is empty or too long' };
  // Control characters and spaces would be normalised away by URL parsing; bidirectional formatting
  // characters would make the URI shown on the consent page read as another (issue 10 #13).
  if (/[\u0000-\u0020\u007f-\u009f\\\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(value)) {
    return { ok: false, reason: 'redirect URI contains whitespace, control or bidirectional formatting characters' };
  }
  if (value.includes('#')) return { ok: false, reason: 'redirect URI must not contain a fragment (RFC 6749 §3.1.2)' };
  const url = URL.parse(value);
  if (!url) return { ok: false, reason: 'redirect URI must be an absolute URI' };
  const scheme = url.protocol.toLowerCase();
  if (FORBIDDEN_SCHEMES.has(scheme)) return { ok: false, reason: `the ${scheme} scheme is not allowed` };
  if (scheme === 'https:' || scheme === 'http:') {
    if (!/^https?:\/\/[^/]/i.test(value)) return { ok: false, reason: 'redirect URI must be an absolute URI with a host' };
    if (url.username || url.password) return { ok: false, reason: 'redirect URI must not contain userinfo' };
    if (scheme === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
      return { ok: false, reason: 'http redirect URIs are allowed on loopback hosts only (RFC 9700 §2.6)' };
    }
    return { ok: true };
  }
  if (PRIVATE_USE_SCHEME.test(scheme)) return { ok: true };
  return { ok: false, reason: 'redirect URI must use https, http on loopback, or a reverse-domain private-use scheme' };
}
