/**
 * The key an issued token is stored and found under.
 *
 * Opaque tokens lead with the time they were issued: `<issued>.<secret>`,
 * where `<issued>` is the issue time in milliseconds as 9 base-36 digits
 * and `<secret>` 256 random bits, base64url. The stored key is that same
 * prefix followed by the SHA-256 of the whole token.
 *
 * Why: a store's primary key on a bare SHA-256 puts every new token on a
 * random page of its B-tree, so each commit writes one dirty page per token
 * (on SQLite, a 4 KiB WAL frame each), and so do indexes that follow the key
 * (the refresh chain's parent link). Led by the issue time, new keys land on
 * the right edge of the tree, a few pages per commit however many tokens it
 * carries. `npm run bench store` measures rotation both ways, and
 * docs/tokens.md has the figures.
 *
 * The prefix makes no guess easier: the secret carries all the entropy,
 * and a forged prefix only leads the lookup to a key that does not exist. It
 * does tell the holder when the token was issued, which a JWT's `iat` tells
 * anyone too.
 *
 * Tokens without the prefix (issued before this format, JWT access tokens)
 * are stored under their bare SHA-256, and still found: base64url has no
 * `.`, and a JWT's header is never nine lowercase base-36 digits.
 */
import { sha256 } from './ids.ts';

const PREFIX_LENGTH = 9;
const DOT = 0x2e;

/** A time in milliseconds as 9 base-36 digits: in byte order, later times sort after earlier ones (until the year 5138). */
export const timeKey = (ms: number): string => Math.max(0, Math.floor(ms)).toString(36).padStart(PREFIX_LENGTH, '0');

/** The token handed to the client: `<issued>.<secret>`. */
export const timeOrderedToken = (secret: string, issuedAt: number): string => `${timeKey(issuedAt)}.${secret}`;

/** The key a token is stored under: its issue-time prefix, if it has one, then SHA-256 of the whole token. */
export function tokenHash(token: string): string {
  return hasIssuedPrefix(token) ? token.slice(0, PREFIX_LENGTH) + sha256(token) : sha256(token);
}

function hasIssuedPrefix(token: string): boolean {
  if (token.length <= PREFIX_LENGTH + 1 || token.charCodeAt(PREFIX_LENGTH) !== DOT) return false;
  for (let i = 0; i < PREFIX_LENGTH; i += 1) {
    const c = token.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a))) return false;
  }
  return true;
}
