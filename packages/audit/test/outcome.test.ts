/**
 * Issue 16 §4 "Audit truth", the audit side: an allowed call that failed is
 * stored as a failure with its error and duration, with the session and the
 * host application; refused tokens are stored as one counted record.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { auditDecisions, auditRefusedTokens } from '../src/decision.ts';
import { orgAuditReader, systemAuditReader } from '../src/query.ts';

const AT = Date.UTC(2026, 11, 6, 12, 0, 0);
const base = {
  principal: { subject: 'usr_1', kind: 'user' as const, orgId: 'org_acme', roles: ['Sales'] },
  clientId: 'cli_claude',
  kind: 'tool' as const,
  ip: '198.51.100.7',
  userAgent: 'claude-ai/1.0',
  at: AT,
  tool: 'customers.read',
  arguments: {},
  result: 'allow' as const,
  reason: undefined,
  scopes: ['customers:read'],
};

describe('Audit truth: tool-call records say what happened', () => {
  let t: TestStore;
  let log: AuditLog;
  beforeEach(async () => {
    t = await createTestStore('sqlite');
    log = new AuditLog({ store: t.store.audit });
  });
  afterEach(async () => {
    await log.close();
    await t.cleanup();
  });

  it('an allowed call whose handler failed is stored as failure with the error, the duration, the session and the host application', async () => {
    await auditDecisions(log)({ ...base, outcome: 'error', error: 'the tool returned an error result', durationMs: 41, sessionId: 'sess-1', clientName: 'Claude Desktop', clientVersion: '1.4.2' });
    await auditDecisions(log)({ ...base, outcome: 'success', durationMs: 3 });
    const [failed, ok] = (await orgAuditReader(t.store.audit, 'org_acme').query({ order: 'asc' })).records;
    expect(failed).toMatchObject({
      type: 'authz.decision',
      result: 'failure',
      error: 'the tool returned an error result',
      sessionId: 'sess-1',
      clientName: 'Claude Desktop',
      details: { outcome: 'error', durationMs: 41, clientVersion: '1.4.2' },
    });
    expect(ok).toMatchObject({ result: 'success', error: null, details: { outcome: 'success', durationMs: 3 } });
    expect((await orgAuditReader(t.store.audit, 'org_acme').query({ result: 'failure' })).records).toHaveLength(1);
  });

  it('refused tokens are stored as one token.refused record per client and reason, with the count and the window', async () => {
    await auditRefusedTokens(log)({ reason: 'inactive', clientId: null, count: 750, from: AT, to: AT + 10_000 });
    const [record] = (await systemAuditReader(t.store.audit).query({ type: 'token.refused' })).records;
    expect(record).toMatchObject({
      type: 'token.refused',
      result: 'denied',
      error: 'inactive',
      clientId: null,
      details: { count: 750, from: '2026-12-06T12:00:00.000000Z', to: '2026-12-06T12:00:10.000000Z' },
    });
  });
});
