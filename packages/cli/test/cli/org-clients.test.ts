/**
 * `gatehouse orgs clients …` (issue 16, item 2): an operator allows, blocks
 * and approves AI clients for one org from the command line; a block
 * revokes the client's tokens in that org only.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@gatehouse-auth/core';
import { openStore } from '../../src/cli/database.ts';
import { EXAMPLE_CONFIG, runCli } from './run.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-org-clients-'));
  env = { GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'gatehouse.sqlite')}` };
  expect((await runCli(['apply', '-f', EXAMPLE_CONFIG], { env })).code).toBe(0);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('gatehouse orgs clients and clients rotate-secret (issue 16)', () => {
  it('sets the mode, allows a host, blocks a client (revoking its tokens in that org) and lists the policy', async () => {
    const store = await openStore(env.GATEHOUSE_DATABASE_URL!, { mustExist: true });
    const acme = (await store.orgs.getBySlug('acme'))!;
    const now = Date.now();
    await store.tokens.insert([
      {
        hash: 'h-shadow',
        kind: 'access',
        format: 'opaque',
        grantId: null,
        familyId: 'fam',
        clientId: 'cli_shadow',
        userId: null,
        orgId: acme.id,
        resource: 'http://127.0.0.1:4001/mcp',
        scopes: [],
        createdAt: now,
        expiresAt: now + 3_600_000,
        revokedAt: null,
        rotatedAt: null,
        parentHash: null,
      },
    ]);
    await store.close();

    expect((await runCli(['orgs', 'clients', 'mode', 'allowlist', '--org', 'acme'], { env })).stdout).toContain('acme: client policy allowlist');
    expect((await runCli(['orgs', 'clients', 'allow', '--host', 'Claude.ai', '--org', 'acme'], { env })).stdout).toContain('allowed clients on claude.ai in acme');
    const blocked = await runCli(['orgs', 'clients', 'block', 'cli_shadow', '--org', 'acme'], { env });
    expect(blocked.stdout).toContain('blocked cli_shadow in acme; revoked 1 token(s)');
    const bad = await runCli(['orgs', 'clients', 'allow', '--host', 'https://x.test/', '--org', 'acme'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('DNS name');
    const listed = JSON.parse((await runCli(['orgs', 'clients', 'list', '--org', 'acme', '--json'], { env })).stdout) as { mode: string; rules: unknown[] };
    expect(listed).toMatchObject({
      mode: 'allowlist',
      rules: [
        { kind: 'client', value: 'cli_shadow', decision: 'block' },
        { kind: 'host', value: 'claude.ai', decision: 'allow' },
      ],
    });

    const after = await openStore(env.GATEHOUSE_DATABASE_URL!, { mustExist: true });
    expect((await after.tokens.get('h-shadow'))?.revokedAt).not.toBeNull();
    await after.close();
  });

  it('gatehouse clients rotate-secret prints the new secret once, keeps the old one for the overlap and stores only hashes', async () => {
    const result = await runCli(['clients', 'rotate-secret', 'internal-company-mcp', '--overlap', '24h', '--expires-in', '90d', '--json'], { env });
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as { client_secret: string; previousValidUntil: string; expiresAt: string };
    expect(Date.parse(printed.expiresAt) - Date.parse(printed.previousValidUntil)).toBe(89 * 86_400_000);
    const store = await openStore(env.GATEHOUSE_DATABASE_URL!, { mustExist: true });
    const client = (await store.clients.get('internal-company-mcp'))!;
    await store.close();
    expect(client.secretHash).toBe(sha256(printed.client_secret));
    expect(client.previousSecretHash).toBe(sha256('dev-only-internal-company-mcp-secret'));
    const bad = await runCli(['clients', 'rotate-secret', 'internal-company-mcp', '--overlap', 'a day'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--overlap: give a duration');
  });
});
