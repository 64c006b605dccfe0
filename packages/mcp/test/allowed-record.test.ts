/**
 * The record of an allowed call is its pending decision plus the outcome:
 * the same fields as before, with `error` only when the call failed.
 */
import { describe, expect, it } from 'vitest';
import { allowedRecord } from '../src/outcome-record.ts';
import type { PendingDecision } from '../src/index.ts';

const pending: PendingDecision = {
  principal: { subject: 'usr_alice', kind: 'user', orgId: 'org_acme', roles: ['Support'] },
  clientId: 'client_1',
  kind: 'tool',
  tool: 'list_tickets',
  arguments: { status: 'open' },
  scopes: ['tickets:read'],
  ip: '127.0.0.1',
  userAgent: 'test',
  at: 1_700_000_000_000,
  sessionId: 'session_1',
  clientName: 'Claude',
};

describe('The record of an allowed call', () => {
  it('is the pending decision with result allow, outcome success and the duration, and no error', () => {
    const record = allowedRecord(pending, { outcome: 'success' }, 12);
    expect(record).toStrictEqual({ ...pending, result: 'allow', reason: undefined, outcome: 'success', durationMs: 12 });
    expect('error' in record).toBe(false);
  });

  it('carries the error of a failed call', () => {
    expect(allowedRecord(pending, { outcome: 'error', error: 'JSON-RPC error -32602: bad' }, 3)).toStrictEqual({
      ...pending,
      result: 'allow',
      reason: undefined,
      outcome: 'error',
      error: 'JSON-RPC error -32602: bad',
      durationMs: 3,
    });
  });

  it('leaves the pending decision as it was (one pending decision may be recorded for several outcomes)', () => {
    const before = structuredClone(pending);
    allowedRecord(pending, { outcome: 'error', error: 'x' }, 1);
    expect(pending).toStrictEqual(before);
  });
});
