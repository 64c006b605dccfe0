import { describe, expect, it } from 'vitest';
import { pooledNewId, pooledRandomToken, pooledTimeOrderedId } from '../../src/random-pool.ts';

describe('pooled randomness', () => {
  it('hands out each draw once: 10,000 tokens, no two alike, each 256 bits in base64url', () => {
    const tokens = Array.from({ length: 10_000 }, () => pooledRandomToken());
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const token of tokens.slice(0, 200)) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('ids keep their prefix and 96 random bits', () => {
    expect(pooledNewId('fam')).toMatch(/^fam_[A-Za-z0-9_-]{16}$/);
  });

  it('time-led ids sort in creation order, whatever their random part', () => {
    const at = Date.UTC(2026, 11, 1);
    const ids = [0, 1, 2, 60_000, 86_400_000].map((offset) => pooledTimeOrderedId('fam', at + offset));
    for (const id of ids) expect(id).toMatch(/^fam_[0-9a-z]{9}[A-Za-z0-9_-]{16}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => pooledTimeOrderedId('fam', at))).size).toBe(1000);
  });
});
