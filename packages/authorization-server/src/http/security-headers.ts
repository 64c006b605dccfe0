import type { MiddlewareHandler } from 'hono';

/**
 * Headers on every response (RFC 9700 §4.16 clickjacking, §4.2.4 referrer
 * leakage). Pages load nothing from third parties, so the CSP is closed.
 * `Referrer-Policy: no-referrer` makes browsers send `Origin: null` on our
 * own form POSTs (Fetch §3.2.5); the CSRF check accepts that only together
 * with `Sec-Fetch-Site: same-origin`, which a browser sets and a page
 * cannot forge.
 */
const DEFAULT_CSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The same headers, for responses built with them from the start (oauthJson). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy': DEFAULT_CSP,
};

/**
 * Responses created with SECURITY_HEADERS in their init. The middleware
 * leaves them alone: reading `c.res.headers` makes @hono/node-server turn
 * its lightweight Response into a full one with an undici Headers object,
 * which was ~5% of the token endpoint's CPU. Any other response (or one
 * Hono re-wrapped) still gets the headers set below.
 */
const secured = new WeakSet<Response>();
export const markSecured = (response: Response): Response => {
  secured.add(response);
  return response;
};

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  if (secured.has(c.res)) return;
  const h = c.res.headers;
  h.set('x-frame-options', 'DENY');
  h.set('referrer-policy', 'no-referrer');
  h.set('x-content-type-options', 'nosniff');
  if (!h.has('content-security-policy')) h.set('content-security-policy', DEFAULT_CSP);
};
