import { describe, expect, it } from 'vitest';
import { validateRedirectUri } from '../../src/clients/index.ts';

describe('Redirect URI registration rules (RFC 6749 §3.1.2, RFC 8252, RFC 9700 §2.6)', () => {
  it.each([
    'https://a.example/cb',
    'https://a.example:8443/cb?tenant=1',
    'http://127.0.0.1/cb',
    'http://127.0.0.1:3000/callback',
    'http://[::1]:3000/callback',
    'http://localhost:6274/oauth/callback',
    'com.example.app:/cb',
    'com.example.app://oauth/cb',
  ])('accepts %s', (uri) => {
    expect(validateRedirectUri(uri)).toEqual({ ok: true });
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['javascript: with a comment trick', 'javascript://a.example/%0aalert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['blob:', 'blob:https://a.example/uuid'],
    ['file:', 'file:///etc/passwd'],
    ['about:', 'about:blank'],
  ])('rejects the %s scheme (oidc-provider rejection list)', (_name, uri) => {
    expect(validateRedirectUri(uri).ok).toBe(false);
  });

  it.each([
    ['a fragment', 'https://a.example/cb#frag'],
    ['an empty fragment', 'https://a.example/cb#'],
    ['http on a non-loopback host', 'http://a.example/cb'],
    ['http on a private address', 'http://10.0.0.1/cb'],
    ['http on a host named like loopback', 'http://localhost.evil.example/cb'],
    ['a relative reference', '/cb'],
    ['a scheme-relative reference', '//a.example/cb'],
    ['https without slashes', 'https:a.example/cb'],
    ['an empty authority', 'https:///cb'],
    ['userinfo', 'https://user:pass@a.example/cb'],
    ['whitespace', 'https://a.example/c b'],
    ['a newline', 'https://a.example/cb\n'],
    ['a backslash', 'https://a.example\\@evil.example/cb'],
    ['a private-use scheme that is not reverse-DNS', 'myapp:/cb'],
    ['an empty value', ''],
    ['a very long value', `https://a.example/${'x'.repeat(2100)}`],
  ])('rejects %s', (_name, uri) => {
    expect(validateRedirectUri(uri).ok).toBe(false);
  });
});
