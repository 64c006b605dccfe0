/**
 * `gatehouse orgs domains …` and `gatehouse orgs setup-link …` (issue 13):
 * an operator claims a domain and is told the TXT record to publish (the
 * domain stays unverified until `verify` sees it), and creates an expiring
 * setup link for the company's IT, printed once and stored hashed.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/cli/database.ts';
import { EXAMPLE_CONFIG, runCli } from './run.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-org-sso-'));
  env = { GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'gatehouse.sqlite')}` };
  expect((await runCli(['apply', '-f', EXAMPLE_CONFIG], { env })).code).toBe(0);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('gatehouse orgs domains and setup-link (issue 13)', () => {
  it('adds a domain with its TXT record, lists it unverified, and removes it', async () => {
    const added = await runCli(['orgs', 'domains', 'add', 'acme.invalid', '--org', 'acme'], { env });
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/_gatehouse-challenge\.acme\.invalid {2}TXT {2}"gatehouse-domain-verification=[A-Za-z0-9_-]{43}"/);
    const listed = await runCli(['orgs', 'domains', 'list', '--org', 'acme', '--json'], { env });
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'acme.invalid', verifiedBy: null }]);
    // Verification itself is tested with an injected resolver (authorization-server test/federation): no DNS here.
    const removed = await runCli(['orgs', 'domains', 'remove', 'acme.invalid', '--org', 'acme'], { env });
    expect(removed.stdout).toContain('removed acme.invalid from acme');
  });

  it('creates a setup link printed once, stored as a hash, and revokes it', async () => {
    const created = await runCli(['orgs', 'setup-link', 'create', '--org', 'acme', '--issuer', 'https://gatehouse.acme.test', '--expires-in-hours', '24', '--json'], { env });
    expect(created.code).toBe(0);
    const { url } = JSON.parse(created.stdout) as { url: string };
    expect(url).toMatch(/^https:\/\/gatehouse\.acme\.test\/setup\/[A-Za-z0-9_-]{43}$/);
    const store = await openStore(env.GATEHOUSE_DATABASE_URL!, { mustExist: true });
    try {
      const acme = (await store.orgs.getBySlug('acme'))!;
      const links = await store.federation.listSetupLinks(acme.id);
      expect(links).toHaveLength(1);
      expect(links[0]!.tokenHash).not.toContain(url.slice(url.lastIndexOf('/') + 1));
    } finally {
      await store.close();
    }
    const revoked = await runCli(['orgs', 'setup-link', 'revoke', '--org', 'acme'], { env });
    expect(revoked.stdout).toContain('revoked 1 setup link(s) of acme');
  });
});
