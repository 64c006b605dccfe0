/**
 * The MRTR requestState of a held call is sealed (AES-256-GCM): the client
 * can echo it, not read or change it. And the argument hash is the audit
 * log's canonical JSON, so key order never matters and types always do.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { argumentsSha256, canonicalJson, openState, sealState, stateKey, type ApprovalState } from '../../src/index.ts';

const key = stateKey(randomBytes(32).toString('base64url'));
const state: ApprovalState = {
  v: 1,
  approvalId: 'ap-1',
  tool: 'export_revenue',
  argumentsSha256: 'a'.repeat(64),
  clientId: 'agent',
  subject: 'user-1',
  resource: 'https://mcp.acme.test/mcp',
  url: 'https://auth.acme.test/approvals/ap-1',
  expiresAt: 1_800_000_000_000,
};

describe('approval request state (AEAD)', () => {
  it('opens what it sealed, and the blob does not show what it binds', () => {
    const blob = sealState(key, state);
    expect(openState(key, blob)).toEqual(state);
    expect(Buffer.from(blob, 'base64url').toString('latin1')).not.toContain('export_revenue');
  });

  it('refuses a blob with any one byte changed', () => {
    const bytes = Buffer.from(sealState(key, state), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const changed = Buffer.from(bytes);
      changed[i] = changed[i]! ^ 0x01;
      expect(openState(key, changed.toString('base64url'))).toBeUndefined();
    }
  });

  it('refuses a blob sealed with another key (another deployment, or a forger)', () => {
    const other = stateKey(randomBytes(32));
    expect(openState(key, sealState(other, state))).toBeUndefined();
  });

  it('refuses random bytes, plain JSON and non-base64url text', () => {
    expect(openState(key, randomBytes(80).toString('base64url'))).toBeUndefined();
    expect(openState(key, Buffer.from(JSON.stringify(state)).toString('base64url'))).toBeUndefined();
    expect(openState(key, 'not base64url!')).toBeUndefined();
    expect(openState(key, '')).toBeUndefined();
  });

  it('refuses a key that is not 32 bytes at startup', () => {
    expect(() => stateKey(randomBytes(16).toString('base64url'))).toThrow(/32 bytes/);
  });
});

describe('argument hash', () => {
  it('is the SHA-256 of canonical JSON as the audit log writes it (keys sorted, no spaces, ECMAScript numbers)', () => {
    const args = { z: [1, 'two', { b: null, a: true }], a: 'é', n: 1e21, m: -0.5, skipped: undefined };
    expect(canonicalJson(args)).toBe('{"a":"é","m":-0.5,"n":1e+21,"z":[1,"two",{"a":true,"b":null}]}');
  });

  it('does not depend on key order, and does depend on every value and its type', () => {
    expect(argumentsSha256({ quarter: 'Q3', year: 2026 })).toBe(argumentsSha256({ year: 2026, quarter: 'Q3' }));
    expect(argumentsSha256({ quarter: 'Q3', year: 2026 })).not.toBe(argumentsSha256({ quarter: 'Q3', year: '2026' }));
    expect(argumentsSha256({ quarter: 'Q3' })).not.toBe(argumentsSha256({ quarter: 'Q4' }));
    expect(argumentsSha256({ quarter: 'Q3' })).toMatch(/^[0-9a-f]{64}$/);
  });
});
