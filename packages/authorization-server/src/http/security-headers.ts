import type { MiddlewareHandler } from 'hono';

/**
 * Headers on every response (RFC 9700 §4.16 clickjacking, §4.2.4 referrer
 * leakage). Pages load nothing from third parties, so the CSP is closed.
 * `Referrer-Policy: no-referrer` makes browsers send `Origin: null` on our
 * own form POSTs (Fetch §3.2.5); the CSRF check accepts that only together
 * with `Sec-Fetch-Site: same-origin`, which a browser sets and a page
 * cannot forge.
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const h = c.res.headers;
  h.set('x-frame-options', 'DENY');
  h.set('referrer-policy', 'no-referrer');
  h.set('x-content-type-options', 'nosniff');
  if (!h.has('content-security-policy')) {
    h.set('content-security-policy', "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  }
};
