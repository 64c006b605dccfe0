import { describe, expect, it } from 'vitest';
import { matchRedirectUri } from '../../src/clients/index.ts';

describe('RFC 9700 §4.1.3 exact redirect URI matching', () => {
  const registered = ['https://a.example/cb'];

  it('accepts the registered URI byte for byte', () => {
    expect(matchRedirectUri(registered, 'https://a.example/cb')).toBe(true);
  });

  it.each([
    ['a trailing slash', 'https://a.example/cb/'],
    ['a different case in the path', 'https://a.example/CB'],
    ['an added query', 'https://a.example/cb?x=1'],
    ['a fragment', 'https://a.example/cb#f'],
    ['dot segments that resolve to the same path', 'https://a.example/cb/../cb'],
    ['a single-dot segment', 'https://a.example/./cb'],
    ['a %2F-encoded slash', 'https://a.example%2Fcb'],
    ['a %2F-encoded path', 'https://a.example/%2Fcb'],
    ['percent-encoded path characters', 'https://a.example/%63b'],
    ['a host suffix', 'https://a.example.evil.com/cb'],
    ['the explicit default port', 'https://a.example:443/cb'],
    ['another port', 'https://a.example:8443/cb'],
    ['an upper-case host', 'https://A.EXAMPLE/cb'],
    ['the http scheme', 'http://a.example/cb'],
    ['userinfo', 'https://user@a.example/cb'],
    ['a prefix of the registered URI', 'https://a.example/c'],
    ['an empty string', ''],
  ])('rejects %s', (_name, requested) => {
    expect(matchRedirectUri(registered, requested)).toBe(false);
  });
});

describe('RFC 8252 §7.3 loopback redirect URIs for native apps', () => {
  it('accepts any port for a registered http://127.0.0.1 URI', () => {
    expect(matchRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:53123/cb')).toBe(true);
  });

  it('accepts any port for a registered http://[::1] URI', () => {
    expect(matchRedirectUri(['http://[::1]/cb'], 'http://[::1]:53123/cb')).toBe(true);
  });

  it('ignores the registered port too (the app picks a new one each run)', () => {
    expect(matchRedirectUri(['http://127.0.0.1:3000/cb'], 'http://127.0.0.1:4000/cb')).toBe(true);
  });

  it.each([
    ['a different path', 'http://127.0.0.1:53123/other'],
    ['a trailing slash', 'http://127.0.0.1:53123/cb/'],
    ['an added query', 'http://127.0.0.1:53123/cb?x=1'],
    ['a fragment', 'http://127.0.0.1:53123/cb#f'],
    ['dot segments', 'http://127.0.0.1:53123/x/../cb'],
    ['a port out of range', 'http://127.0.0.1:70000/cb'],
    ['port zero', 'http://127.0.0.1:0/cb'],
    ['an empty port', 'http://127.0.0.1:/cb'],
    ['another 127/8 address', 'http://127.0.0.2:53123/cb'],
  ])('still matches every other component exactly: rejects %s', (_name, requested) => {
    expect(matchRedirectUri(['http://127.0.0.1/cb'], requested)).toBe(false);
  });

  it.each([
    ['http://127.0.0.1/cb', 'http://localhost:53123/cb'],
    ['http://127.0.0.1/cb', 'http://[::1]:53123/cb'],
    ['http://localhost/cb', 'http://127.0.0.1:53123/cb'],
    ['http://localhost/cb', 'http://[::1]:53123/cb'],
    ['http://[::1]/cb', 'http://127.0.0.1:53123/cb'],
    ['http://[::1]/cb', 'http://localhost:53123/cb'],
  ])('never cross-matches loopback names: %s does not allow %s', (registered, requested) => {
    expect(matchRedirectUri([registered], requested)).toBe(false);
  });

  it('gives https on a loopback address no port exception', () => {
    expect(matchRedirectUri(['https://127.0.0.1/cb'], 'https://127.0.0.1:53123/cb')).toBe(false);
  });

  it('gives a non-loopback http host no port exception', () => {
    expect(matchRedirectUri(['http://app.example/cb'], 'http://app.example:8080/cb')).toBe(false);
  });
});
