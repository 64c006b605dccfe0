import { afterAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sha256, type GatehouseEvent } from '@gatehouse-auth/core';
import { kyselyOf } from '@gatehouse-auth/store';
import { requirePostgres, TEST_POSTGRES_URL } from '@gatehouse-auth/store/testing';
import { startGatehouse } from '../../src/server/start.ts';
import { EXAMPLE_CONFIG, runCli } from './run.ts';

const available = await requirePostgres('cli on PostgreSQL');
const schema = `gh_cli_${randomBytes(5).toString('hex')}`;
const url = `${TEST_POSTGRES_URL}?schema=${schema}`;

afterAll(async () => {
  if (!available) return;
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe.skipIf(!available)('gatehouse on PostgreSQL', () => {
  it('applies the example with the CLI, idempotently', async () => {
    const first = await runCli(['apply', '-f', EXAMPLE_CONFIG], { env: { GATEHOUSE_DATABASE_URL: url } });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/24 changes applied\n$/);
    const second = await runCli(['apply', '-f', EXAMPLE_CONFIG], { env: { GATEHOUSE_DATABASE_URL: url } });
    expect(second.stdout).toBe('no changes: the database matches the file\n');
  });

  it('a revocation made with the CLI reaches a running Gatehouse over LISTEN/NOTIFY, and is audited once', async () => {
    const gatehouse = await startGatehouse({ databaseUrl: url });
    const heard: GatehouseEvent[] = [];
    gatehouse.events.subscribe((event) => void heard.push(event));
    let auditTypes: string[] = [];
    try {
      const eli = (await gatehouse.store.users.getByEmail('eli@acme.test'))!;
      const acme = (await gatehouse.store.orgs.getBySlug('acme'))!;
      const hash = sha256(`pg-${randomBytes(8).toString('hex')}`);
      const now = Date.now();
      await gatehouse.store.tokens.insert([
        {
          hash,
          kind: 'access',
          format: 'opaque',
          grantId: null,
          familyId: hash,
          clientId: 'internal-company-mcp',
          userId: eli.id,
          orgId: acme.id,
          resource: 'http://127.0.0.1:4001/mcp',
          scopes: ['code:read'],
          createdAt: now,
          expiresAt: now + 3_600_000,
          revokedAt: null,
          rotatedAt: null,
          parentHash: null,
        },
      ]);
      const result = await runCli(['tokens', 'revoke', '--user', 'eli@acme.test'], { env: { GATEHOUSE_DATABASE_URL: url } });
      expect(result).toMatchObject({ code: 0, stdout: 'revoked 1 token of eli@acme.test\n' });
      await vi.waitFor(() => expect(heard.find((e) => e.type === 'token.revoked')).toMatchObject({ tokenHashes: [hash], reason: 'revoked_by_admin', userId: eli.id }), { timeout: 15_000 });
    } finally {
      await gatehouse.close();
    }
    const { createStore } = await import('@gatehouse-auth/store');
    const store = await createStore(url);
    try {
      const { db } = kyselyOf(store);
      auditTypes = (
        (await db
          .selectFrom('audit_records' as never)
          .select('type' as never)
          .execute()) as { type: string }[]
      ).map((r) => r.type);
    } finally {
      await store.close();
    }
    // Recorded by the CLI that made it; the server that heard it did not record it again.
    expect(auditTypes.filter((t) => t === 'token.revoked')).toHaveLength(1);
  });
});
