/** The access log labels requests by path without a URL parse; it must read the same path `new URL` would. */
import { describe, expect, it } from 'vitest';
import { pathOf } from '../../src/operations/routes.ts';

describe('access log: path of a request URL', () => {
  it('is the pathname, without the query, for absolute http(s) URLs', () => {
    for (const url of ['http://127.0.0.1:4000/token', 'https://as.example/introspect?x=1', 'http://[::1]:4000/account/orgs/acme/audit/records?limit=5', 'http://host/', 'http://host/a/b?c=/d']) {
      expect(pathOf(url)).toBe(new URL(url).pathname);
    }
  });
  it('is / for a URL with no path', () => {
    expect(pathOf('http://host')).toBe('/');
  });
});
