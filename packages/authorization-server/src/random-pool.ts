/**
 * Token, id and request-id randomness from a pooled CSPRNG buffer.
 * `randomBytes(n)` per draw allocates a Buffer and crosses into OpenSSL
 * every time; in the token endpoint's profile those draws (request id,
 * access and refresh token) were ~8% of the CPU. One `randomFillSync` of
 * 4 KiB serves 128 tokens. The bytes are the same
 * CSPRNG output; each slice is handed out once and zeroed as it is taken,
 * so no token's entropy stays in the pool after it was issued.
 */
import { randomFillSync } from 'node:crypto';
import { timeKey } from '@gatehouse-auth/core';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

function take(bytes: number): string {
  if (bytes > POOL_BYTES) throw new RangeError('random draw larger than the pool');
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const text = pool.toString('base64url', offset, offset + bytes);
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return text;
}

/** Same contract as core's `randomToken`: `bytes` bytes of entropy, base64url (default 256 bits). */
export const pooledRandomToken = (bytes = 32): string => take(bytes);

/** Same shape as core's `newId` (`<prefix>_` + 96 random bits). */
export const pooledNewId = (prefix: string): string => `${prefix}_${take(12)}`;

/**
 * `pooledNewId` led by a time: `<prefix>_<9 base-36 digits><96 random bits>`.
 * For ids an index stores once per row and never shares (a
 * client_credentials token's family): in creation order, each new row lands
 * on the index's right edge instead of a random page (core's token-hash.ts).
 */
export const pooledTimeOrderedId = (prefix: string, now: number): string => `${prefix}_${timeKey(now)}${take(12)}`;
