/**
 * The issuer is the identity every token carries (RFC 8414 §2: https, no
 * query or fragment). http is accepted only on loopback, where nothing
 * crosses a network, unless the operator explicitly opts out for a test rig.
 */
import { isLoopbackHost } from '@gatehouse-auth/core';
import { CliError } from './errors.ts';

export function checkIssuer(issuer: string, allowInsecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new CliError(`issuer is not a URL: ${issuer}`);
  }
  if (url.search || url.hash) throw new CliError(`issuer ${issuer} must not have a query or fragment (RFC 8414 §2)`);
  if (url.protocol === 'https:') return url;
  if (url.protocol !== 'http:') throw new CliError(`issuer ${issuer} must be an https URL`);
  if (!isLoopbackHost(url.hostname) && !allowInsecure) {
    throw new CliError(
      `refusing the http issuer ${issuer} on a non-loopback host: tokens would travel in clear text. Use https (--tls-cert/--tls-key, or a TLS proxy with --trust-proxy), or --allow-insecure-issuer for a test rig`,
    );
  }
  return url;
}
