import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { createTestStore, type TestStore } from '@gatehouse-auth/store/testing';
import { AuditLog } from '../src/audit-log.ts';
import { auditRoutes } from '../src/http/routes.ts';

describe('Customer admin audit HTTP routes (org taken from the authenticated session only)', () => {
  let t: TestStore;
  let app: Hono;
  beforeEach(async () => {
    t = await createTestStore('sqlite');
    const log = new AuditLog({ store: t.store.audit });
    for (const orgId of ['org_acme', 'org_globex', 'org_acme']) {
      await log.append({ type: 'tool.call', result: 'success', orgId, userId: `usr_${orgId}`, tool: 'tickets.read' });
    }
    await log.close();
    // Stand-in for the app's own admin authentication: a header naming the admin's org.
    app = new Hono();
    app.route('/admin/audit', auditRoutes({ store: t.store.audit, orgIdOf: (c) => c.req.header('x-test-admin-org') }));
  });
  afterEach(() => t.cleanup());

  it('answers 403 without an authenticated organization', async () => {
    const response = await app.request('/admin/audit/records');
    expect(response.status).toBe(403);
  });

  it("returns only the session org's records; query parameters cannot name another org", async () => {
    const response = await app.request('/admin/audit/records?org=org_globex&chain=org_globex&user=usr_org_globex', { headers: { 'x-test-admin-org': 'org_acme' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect((await response.json()).records).toEqual([]);
    const all = await (await app.request('/admin/audit/records', { headers: { 'x-test-admin-org': 'org_acme' } })).json();
    expect(all.records.map((r: { orgId: string; seq: number }) => [r.orgId, r.seq])).toEqual([
      ['org_acme', 2],
      ['org_acme', 1],
    ]);
  });

  it('rejects malformed filters with 400 invalid_request', async () => {
    for (const query of ['result=maybe', 'limit=0', 'limit=1001', 'since=yesterday', 'cursor=-1']) {
      const response = await app.request(`/admin/audit/records?${query}`, { headers: { 'x-test-admin-org': 'org_acme' } });
      expect(response.status, query).toBe(400);
      expect((await response.json()).error).toBe('invalid_request');
    }
  });

  it('exports the org chain as JSON Lines and verifies it', async () => {
    const jsonl = await app.request('/admin/audit/records.jsonl', { headers: { 'x-test-admin-org': 'org_globex' } });
    expect(jsonl.headers.get('content-type')).toMatch(/^application\/jsonl/);
    const lines = (await jsonl.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.orgId, l.seq])).toEqual([['org_globex', 1]]);
    const verify = await (await app.request('/admin/audit/verify', { headers: { 'x-test-admin-org': 'org_acme' } })).json();
    expect(verify).toMatchObject({ chain: 'org_acme', ok: true, records: 2 });
  });
});
