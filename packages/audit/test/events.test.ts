import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalEventBus } from '@gatehouse-auth/core';
import type { DecisionRecord } from '@gatehouse-auth/mcp';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { auditDecisions } from '../src/decision.ts';
import { auditEvents } from '../src/events.ts';
import { orgAuditReader, systemAuditReader } from '../src/query.ts';
import { REDACTED } from '../src/redact.ts';
import { verifyChain } from '../src/verify.ts';

const AT = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('Audit records from lifecycle events and resource-server decisions (issue #5 §1)', () => {
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

  it('records token, consent, login and admin events in the right org chain, durably before publish returns', async () => {
    const bus = new LocalEventBus(() => AT);
    auditEvents(bus, log, {
      orgOfGrant: async (grantId) => (grantId === 'grt_1' ? 'org_acme' : null),
      clientName: async (clientId) => (clientId === 'cli_claude' ? 'Claude' : null),
    });
    await bus.publish({ type: 'consent.granted', grantId: 'grt_1', userId: 'usr_1', orgId: 'org_acme', clientId: 'cli_claude', resource: 'https://mcp.acme.test/mcp', scopes: ['tickets:read'] });
    await bus.publish({
      type: 'token.issued',
      tokenHash: 'h1',
      grantId: 'grt_1',
      clientId: 'cli_claude',
      userId: 'usr_1',
      orgId: 'org_acme',
      resource: 'https://mcp.acme.test/mcp',
      scopes: ['tickets:read'],
    });
    await bus.publish({ type: 'token.refresh_reuse_detected', grantId: 'grt_1', clientId: 'cli_claude', tokenHashes: ['h1', 'h2'] });
    await bus.publish({ type: 'membership.changed', userId: 'usr_1', orgId: 'org_acme', roles: ['Management'], actor: { kind: 'operator', id: 'ops' } });
    await bus.publish({ type: 'login.failed', email: 'ada@acme.test', ip: '203.0.113.9', userAgent: 'Mozilla/5.0', reason: 'bad_password' });
    await bus.publish({ type: 'client.registered', clientId: 'cli_claude' });

    const acme = (await orgAuditReader(t.store.audit, 'org_acme').query({ order: 'asc' })).records;
    expect(acme.map((r) => [r.type, r.result])).toEqual([
      ['consent.granted', 'success'],
      ['token.issued', 'success'],
      ['token.refresh_reuse_detected', 'denied'],
      ['admin.membership.changed', 'success'],
    ]);
    expect(acme[0]).toMatchObject({ userId: 'usr_1', clientId: 'cli_claude', clientName: 'Claude', scopes: ['tickets:read'], time: '2026-11-23T12:00:00.000000Z' });
    expect(acme[2]).toMatchObject({ error: 'refresh token reused', details: { grantId: 'grt_1', revokedTokenHashes: ['h1', 'h2'] } });
    expect(acme[3]).toMatchObject({ actor: { kind: 'operator', id: 'ops' }, details: { roles: ['Management'] } });

    const system = (await systemAuditReader(t.store.audit).query({ order: 'asc' })).records;
    expect(system.map((r) => r.type)).toEqual(['login.failed', 'admin.client.registered']);
    expect(system[0]).toMatchObject({ result: 'failure', error: 'bad_password', ip: '203.0.113.9', userAgent: 'Mozilla/5.0' });
  });

  it('names the client of each token record once per few seconds, and at once anew after a client event', async () => {
    const bus = new LocalEventBus(() => AT);
    let name = 'Claude';
    let lookups = 0;
    auditEvents(bus, log, { clientName: async () => (lookups++, name) });
    const issued = { type: 'token.issued' as const, tokenHash: 'h', grantId: null, clientId: 'cli_claude', userId: null, orgId: 'org_acme', resource: 'https://mcp.acme.test/mcp', scopes: [] };
    await bus.publish(issued);
    await bus.publish(issued);
    expect(lookups).toBe(1);
    name = 'Claude Desktop';
    await bus.publish({ type: 'client.updated', clientId: 'cli_claude' });
    await bus.publish(issued);
    const records = (await orgAuditReader(t.store.audit, 'org_acme').query({ order: 'asc' })).records;
    expect(records.map((r) => r.clientName)).toEqual(['Claude', 'Claude', 'Claude Desktop']);
  });

  it('turns every SDK decision, allowed or denied, into a record with the seed 002 fields and redacted arguments', async () => {
    const onDecision: (record: DecisionRecord) => Promise<void> = auditDecisions(log);
    const base = {
      principal: { subject: 'usr_1', kind: 'user' as const, orgId: 'org_acme', roles: ['Sales'] },
      clientId: 'cli_claude',
      kind: 'tool' as const,
      ip: '198.51.100.7',
      userAgent: 'claude-ai/1.0',
      at: AT + 0.25,
    };
    await onDecision({ ...base, tool: 'customers.read', arguments: { id: 'c1', api_key: 'sk-live-123' }, result: 'allow', reason: undefined, scopes: ['customers:read'] });
    await onDecision({ ...base, tool: 'finance.pay', arguments: { amount: 10 }, result: 'deny', reason: 'insufficient_scope', scopes: [] });
    await onDecision({ ...base, tool: 'finance.export', arguments: {}, result: 'deny', reason: 'outside business hours', scopes: ['finance:read'] });
    await onDecision({
      ...base,
      principal: { subject: 'cli_etl', kind: 'service', orgId: 'org_acme', roles: ['Analytics'] },
      tool: 'analytics.query',
      arguments: {},
      result: 'allow',
      reason: undefined,
      scopes: ['analytics:read'],
    });

    const [allowed, denied, byPolicy, service] = (await orgAuditReader(t.store.audit, 'org_acme').query({ order: 'asc' })).records;
    expect(allowed).toMatchObject({
      type: 'authz.decision',
      result: 'success',
      userId: 'usr_1',
      agentId: null,
      clientId: 'cli_claude',
      tool: 'customers.read',
      params: { id: 'c1', api_key: REDACTED },
      scopes: ['customers:read'],
      ip: '198.51.100.7',
      userAgent: 'claude-ai/1.0',
      time: '2026-11-23T12:00:00.000250Z',
    });
    expect(JSON.stringify(await t.store.audit.scan('org_acme', 0, 10))).not.toContain('sk-live-123');
    expect(allowed!.details).toMatchObject({ decidedBy: 'scope_and_policy', claims: { kind: 'user', roles: ['Sales'] } });
    expect(denied).toMatchObject({ result: 'denied', error: 'insufficient_scope', tool: 'finance.pay', scopes: [], details: { decidedBy: 'scope_requirement' } });
    expect(byPolicy).toMatchObject({ result: 'denied', error: 'outside business hours', details: { decidedBy: 'policy' } });
    expect(service).toMatchObject({ userId: null, agentId: 'cli_etl' });
    expect((await verifyChain(t.store.audit, 'org_acme')).ok).toBe(true);
  });
});

describe('Concurrent appends (security-catalogue: one linear chain)', () => {
  it('two audit logs appending to one chain at once on SQLite produce one gap-free chain', async () => {
    const t = await createTestStore('sqlite');
    try {
      const a = new AuditLog({ store: t.store.audit });
      const b = new AuditLog({ store: t.store.audit });
      const refs = await Promise.all(Array.from({ length: 400 }, (_, i) => (i % 2 ? a : b).append({ type: 'tool.call', result: 'success', orgId: 'org_x', params: { i } })));
      expect(new Set(refs.map((r) => r.seq)).size).toBe(400);
      expect(await verifyChain(t.store.audit, 'org_x')).toMatchObject({ ok: true, records: 400, lastSeq: 400 });
    } finally {
      await t.cleanup();
    }
  });
});
