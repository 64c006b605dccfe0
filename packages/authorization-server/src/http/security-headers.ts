import type { MiddlewareHandler } from 'hono';

/**
 * Headers on every response (RFC 9700 §4.16 clickjacking, §4.2.4 referrer
 * leakage). Pages load nothing from third parties, so the CSP is closed.
 * Referrer-Policy is `same-origin`, not `no-referrer`: under `no-referrer`
 * browsers send `Origin: null` on our own form POSTs (Fetch §3.2.5), which
 * the CSRF Origin check must refuse; `same-origin` still sends nothing to
 * any other origin.
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const h = c.res.headers;
  h.set('x-frame-options', 'DENY');
  h.set('referrer-policy', 'same-origin');
  h.set('x-content-type-options', 'nosniff');
  if (!h.has('content-security-policy')) {
    h.set('content-security-policy', "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  }
};
