import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED } from '../src/redact.ts';
import { canonicalJson } from '../src/canonical.ts';

describe('Parameter redaction (issue #5: secrets and marked fields never stored in clear)', () => {
  it('masks default secret names case-insensitively, at any depth, ignoring - and _', () => {
    const redact = createRedactor();
    const out = redact({
      Password: 'hunter2',
      nested: { API_KEY: 'k1', 'api-key': 'k2', list: [{ access_token: 't' }] },
      Authorization: 'Bearer abc',
      client_secret: 's',
      github_token: 'g',
      query: 'open tickets',
    });
    expect(out).toEqual({
      Password: REDACTED,
      nested: { API_KEY: REDACTED, 'api-key': REDACTED, list: [{ access_token: REDACTED }] },
      Authorization: REDACTED,
      client_secret: REDACTED,
      github_token: REDACTED,
      query: 'open tickets',
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|k1|k2|Bearer|"s"|"g"/);
  });

  it('masks a whole object or array stored under a secret name', () => {
    expect(createRedactor()({ credentials: { user: 'u', pass: 'p' } })).toEqual({ credentials: REDACTED });
  });

  it('masks operator-marked paths, with * matching any key or index', () => {
    const redact = createRedactor({ paths: ['customer.ssn', 'cards.*.number'] });
    expect(redact({ customer: { ssn: '123-45-6789', name: 'Ada' }, cards: [{ number: '4111', brand: 'visa' }], ssn: 'top-level stays' })).toEqual({
      customer: { ssn: REDACTED, name: 'Ada' },
      cards: [{ number: REDACTED, brand: 'visa' }],
      ssn: 'top-level stays',
    });
  });

  it('replaces with a keyed hash in hmac mode: equal values correlate, the value is not readable', () => {
    const redact = createRedactor({ mode: 'hmac', key: 'k'.repeat(32) });
    const a = redact({ password: 'hunter2' }) as { password: string };
    const b = redact({ password: 'hunter2' }) as { password: string };
    const c = redact({ password: 'other' }) as { password: string };
    expect(a.password).toMatch(/^hmac:[A-Za-z0-9_-]{43}$/);
    expect(a.password).toBe(b.password);
    expect(a.password).not.toBe(c.password);
    expect(createRedactor({ mode: 'hmac', key: 'z'.repeat(32) })({ password: 'hunter2' })).not.toEqual(a);
  });

  it('refuses hmac mode without a key', () => {
    expect(() => createRedactor({ mode: 'hmac' })).toThrow(/key/);
  });

  it('a custom field list replaces the defaults', () => {
    expect(createRedactor({ fields: ['iban'] })({ IBAN: 'DE89', password: 'visible by choice' })).toEqual({ IBAN: REDACTED, password: 'visible by choice' });
  });
});

describe('Canonical JSON (RFC 8785 subset)', () => {
  it('sorts keys by UTF-16 code units and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], A: { d: 1.5, c: 'é' } })).toBe('{"A":{"c":"é","d":1.5},"a":[true,null,"x"],"b":1}');
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, ö: 3 })).toBe('{"\\r":2,"ö":3,"€":1}');
  });

  it('writes numbers as ECMAScript does (RFC 8785 §3.2.2.3)', () => {
    expect(canonicalJson([1e21, 1e-7, -0, 0.1 + 0.2])).toBe('[1e+21,1e-7,0,0.30000000000000004]');
  });

  it('refuses values JSON cannot hold instead of changing them', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson(() => 1)).toThrow();
  });
});
