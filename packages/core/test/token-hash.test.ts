import { describe, expect, it } from 'vitest';
import { randomToken, sha256 } from '../src/ids.ts';
import { timeOrderedToken, tokenHash } from '../src/token-hash.ts';

const issuedAt = Date.UTC(2026, 11, 1, 12, 0, 0);

describe('token storage key', () => {
  it('an opaque token is its issue time in 9 base-36 digits, a dot, then the secret', () => {
    const secret = randomToken();
    const token = timeOrderedToken(secret, issuedAt);
    expect(token).toBe(`${issuedAt.toString(36).padStart(9, '0')}.${secret}`);
    expect(token).toMatch(/^[0-9a-z]{9}\.[A-Za-z0-9_-]{43}$/);
  });

  it('stores a time-led token under its prefix followed by the SHA-256 of the whole token', () => {
    const token = timeOrderedToken(randomToken(), issuedAt);
    expect(tokenHash(token)).toBe(token.slice(0, 9) + sha256(token));
  });

  it('keys sort by issue time, whatever the secrets', () => {
    const keys = [0, 1, 2, 1_000, 86_400_000].map((offset) => tokenHash(timeOrderedToken(randomToken(), issuedAt + offset)));
    expect([...keys].sort()).toEqual(keys);
  });

  it('a token issued before this format, or a JWT, is stored under its bare SHA-256', () => {
    const legacy = randomToken();
    const jwt = 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ1In0.c2ln';
    expect(tokenHash(legacy)).toBe(sha256(legacy));
    expect(tokenHash(jwt)).toBe(sha256(jwt));
  });

  it("a forged prefix on another token's secret gives another key: the secret alone finds nothing", () => {
    const secret = randomToken();
    const real = timeOrderedToken(secret, issuedAt);
    expect(tokenHash(timeOrderedToken(secret, issuedAt + 1))).not.toBe(tokenHash(real));
    expect(tokenHash(secret)).not.toBe(tokenHash(real));
  });

  it('a dot at the tenth character does not make a prefix unless the nine before it are lowercase base-36', () => {
    for (const token of ['ABCDEFGHI.secret', 'abcd-fghi.secret', 'abcdefgh_.secret', '012345678.']) {
      expect(tokenHash(token)).toBe(sha256(token));
    }
  });
});
