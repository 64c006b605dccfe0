/**
 * Issue 16 §4: `gatehouse serve` mounts the org-admin audit query routes
 * (they existed but nothing served them) behind org-admin authentication.
 * Who may pass the guard is tested in the authorization server
 * (test/admin/org-admin-app.test.ts); here: the routes are there, closed
 * without authentication, and serve one org's chain only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatehouse, type RunningGatehouse } from '../../src/server/start.ts';

const KEY = 'operator-key-org-audit-test';
let gatehouse: RunningGatehouse;

beforeAll(async () => {
  gatehouse = await startGatehouse({ adminKey: KEY });
  const now = Date.now();
  for (const [id, slug] of [
    ['org_acme', 'acme'],
    ['org_globex', 'globex'],
  ]) {
    await gatehouse.store.orgs.create({ id: id!, slug: slug!, name: slug!, auditRetentionDays: null, createdAt: now, updatedAt: now });
  }
  await gatehouse.audit!.append({ type: 'authz.decision', result: 'failure', orgId: 'org_acme', tool: 'tickets.read', error: 'the tool returned an error result' });
  await gatehouse.audit!.append({ type: 'authz.decision', result: 'success', orgId: 'org_globex', tool: 'finance.read' });
});
afterAll(() => gatehouse.close());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${gatehouse.url}${path}`, { headers });

describe('Org-admin audit routes are mounted behind org-admin authentication (issue 16 §4)', () => {
  it('answers 401 without a session or key', async () => {
    expect((await get('/account/orgs/org_acme/audit/records')).status).toBe(401);
    expect((await get('/account/orgs/org_acme/audit/verify')).status).toBe(401);
  });

  it("serves the named org's records only (operator key), whatever the query string says", async () => {
    const response = await get('/account/orgs/acme/audit/records?org=org_globex', { authorization: `Bearer ${KEY}` });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { records: { orgId: string; tool: string; result: string }[] };
    expect(page.records.map((r) => [r.orgId, r.tool, r.result])).toEqual([['org_acme', 'tickets.read', 'failure']]);
    expect(await (await get('/account/orgs/acme/audit/verify', { authorization: `Bearer ${KEY}` })).json()).toMatchObject({ ok: true });
  });
});
