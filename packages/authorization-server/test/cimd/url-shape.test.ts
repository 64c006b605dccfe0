import { describe, expect, it } from 'vitest';
import { checkClientIdUrl } from '../../src/clients/index.ts';

const strict = { allowLoopback: false };

describe('draft-ietf-oauth-client-id-metadata-document §3 client identifier URL shape', () => {
  it.each(['https://app.example/client.json', 'https://app.example/oauth/metadata', 'https://app.example:8443/client.json'])('accepts %s', (url) => {
    expect(checkClientIdUrl(url, strict).ok).toBe(true);
  });

  it.each([
    ['the http scheme', 'http://app.example/client.json'],
    ['an upper-case scheme', 'HTTPS://app.example/client.json'],
    ['no path', 'https://app.example'],
    ['only a root path', 'https://app.example/'],
    ['only a query', 'https://app.example?client'],
    ['a query (discouraged by the draft; every variant would be a new client_id)', 'https://app.example/client.json?v=2'],
    ['an empty query', 'https://app.example/client.json?'],
    ['a dot segment', 'https://app.example/./client.json'],
    ['a double-dot segment', 'https://app.example/a/../client.json'],
    ['a trailing double-dot segment', 'https://app.example/a/..'],
    ['a %2e segment', 'https://app.example/%2e/client.json'],
    ['a %2e%2e segment', 'https://app.example/a/%2e%2e/client.json'],
    ['a mixed-case %2E. segment', 'https://app.example/a/%2E./client.json'],
    ['a fragment', 'https://app.example/client.json#x'],
    ['an empty fragment', 'https://app.example/client.json#'],
    ['userinfo', 'https://user@app.example/client.json'],
    ['userinfo with a password', 'https://user:pw@app.example/client.json'],
    ['a backslash', 'https://app.example\\client.json'],
    ['whitespace', 'https://app.example/client .json'],
    ['a non-URL', 'not a url'],
  ])('rejects %s without fetching', (_name, url) => {
    expect(checkClientIdUrl(url, strict).ok).toBe(false);
  });

  it('allows http only on loopback hosts and only when allowLoopback is set', () => {
    expect(checkClientIdUrl('http://127.0.0.1:4000/client.json', { allowLoopback: true }).ok).toBe(true);
    expect(checkClientIdUrl('http://127.0.0.1:4000/client.json', strict).ok).toBe(false);
    expect(checkClientIdUrl('http://app.example/client.json', { allowLoopback: true }).ok).toBe(false);
  });
});
