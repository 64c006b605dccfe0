/**
 * Issue 10, finding 2: `gatehouse serve` on PostgreSQL died ("Unhandled
 * 'error' event … on Client instance", 57P01) when every connection of its
 * database was terminated under load, as a failover or a pooler restart
 * does. The server runs as a child process so a crash shows up as an exit;
 * it has a database of its own, because terminating every backend of the
 * shared test database would cut other suites' connections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { tokenHash } from '@gatehouse-auth/core';
import { requirePostgres, TEST_POSTGRES_URL } from '@gatehouse-auth/store/testing';
import { freePort, startCli, type LongRunning } from './run.ts';

const available = await requirePostgres('gatehouse serve across PostgreSQL connection loss');
const database = `gh_drop_${randomBytes(5).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
})();

const SECRET = 'drop-test-agent-secret-0123456789abcdef';
const INTROSPECTOR_SECRET = 'drop-test-introspector-secret-0123456789';
const RESOURCE = 'http://127.0.0.1:4001/mcp';
const CONFIG = `
roles:
  - name: Ops
    permissions: [ops:view]
scopes:
  - name: ops:read
    description: Read operational data.
    allowed_roles: [Ops]
    sensitivity: routine
resources:
  - uri: ${RESOURCE}
    name: Ops tools
    organizations: [acme]
    scopes: [ops:read]
organizations:
  - slug: acme
    name: Acme Inc.
clients:
  - client_id: nightly-report
    name: Nightly report
    grant_types: [client_credentials]
    secret: ${SECRET}
    org: acme
    roles: [Ops]
  - client_id: introspector
    name: Introspection
    grant_types: []
    token_endpoint_auth_method: client_secret_basic
    secret: ${INTROSPECTOR_SECRET}
    resource_server_for: [${RESOURCE}]
`;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** What a failover does to every Gatehouse connection at once. */
const terminateAll = (): Promise<number> =>
  admin(async (client) => (await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database])).rowCount ?? 0);

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

type Outcome = { kind: 'ok'; token: string } | { kind: 'status'; status: number; body: string; retryAfter: string | null } | { kind: 'network'; message: string };

async function requestToken(url: string): Promise<Outcome> {
  try {
    const response = await fetch(`${url}/token`, {
      method: 'POST',
      headers: { authorization: basic('nightly-report', SECRET), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, scope: 'ops:read' }),
    });
    const body = await response.text();
    if (response.status === 200) return { kind: 'ok', token: (JSON.parse(body) as { access_token: string }).access_token };
    return { kind: 'status', status: response.status, body, retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    return { kind: 'network', message: String((error as Error).cause ?? error) };
  }
}

type Introspected = { status: number; active?: boolean; retryAfter?: string | null } | { status: 'network'; message: string };

async function introspect(url: string, token: string): Promise<Introspected> {
  try {
    const response = await fetch(`${url}/introspect`, {
      method: 'POST',
      headers: { authorization: basic('introspector', INTROSPECTOR_SECRET), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    const text = await response.text();
    return response.status === 200 ? { status: 200, active: (JSON.parse(text) as { active: boolean }).active } : { status: response.status, retryAfter: response.headers.get('retry-after') };
  } catch (error) {
    return { status: 'network', message: String((error as Error).cause ?? error) };
  }
}

/** The `token.issued` audit records' token hashes, read straight from the database. */
async function auditedTokenHashes(): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ details: string | Record<string, unknown> }>(`SELECT details FROM audit_records WHERE type = 'token.issued'`);
    return new Set(rows.map((row) => (typeof row.details === 'string' ? JSON.parse(row.details) : row.details).tokenHash as string));
  } finally {
    await client.end();
  }
}

describe.skipIf(!available)('gatehouse serve on PostgreSQL when the database drops its connections', () => {
  let server: LongRunning | undefined;
  let url = '';
  let exitCode: number | null | undefined;

  beforeAll(async () => {
    await admin((client) => client.query(`CREATE DATABASE "${database}"`));
    const dir = mkdtempSync(join(tmpdir(), 'gh-drop-'));
    const config = join(dir, 'gatehouse.yaml');
    writeFileSync(config, CONFIG);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = await startCli(['serve', '--config', config, '--port', String(port), '--issuer', url, '--log-level', 'warn'], 'Gatehouse listening', {
      env: { GATEHOUSE_DATABASE_URL: databaseUrl },
    });
    void new Promise<number | null>((resolve) => server!.child.once('exit', resolve)).then((code) => (exitCode = code));
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    if (!available) return;
    await terminateAll().catch(() => 0);
    // FORCE: a connection the stopped server's pool had not yet closed must not hold the drop up.
    await admin((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
  }, 60_000);

  it('stays up under client_credentials and introspection load while every backend is terminated; failures are 503 with Retry-After; acknowledged tokens are all kept and audited', async () => {
    const issued: string[] = [];
    const failures: Outcome[] = [];
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop && exitCode === undefined) {
        const outcome = await requestToken(url);
        if (outcome.kind === 'ok') issued.push(outcome.token);
        else failures.push(outcome);
      }
    };
    // Resource servers introspecting tokens issued before: during the drop the answer is 503, never `active: false`.
    const checks: Introspected[] = [];
    const introspector = async (): Promise<void> => {
      while (!stop && exitCode === undefined) {
        const token = issued[Math.floor(Math.random() * issued.length)];
        if (token === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
        else checks.push(await introspect(url, token));
      }
    };
    const workers = [...Array.from({ length: 8 }, worker), introspector(), introspector()];
    let terminated = 0;
    for (let round = 0; round < 4 && exitCode === undefined; round++) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      terminated += await terminateAll();
    }
    // Service is back within a few seconds: the last second of load succeeds.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const beforeLastSecond = issued.length;
    const failuresBefore = failures.length;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stop = true;
    await Promise.all(workers);

    expect(exitCode, `the server exited:\n${server!.stderr().slice(-3000)}`).toBeUndefined();
    expect(terminated).toBeGreaterThan(4);
    expect(
      failures.filter((f) => f.kind === 'network'),
      'no request may see a dropped socket',
    ).toEqual([]);
    for (const failure of failures) {
      expect(failure).toMatchObject({ kind: 'status', status: 503, retryAfter: expect.stringMatching(/^\d+$/) });
      if (failure.kind === 'status') expect(JSON.parse(failure.body)).toMatchObject({ error: 'temporarily_unavailable' });
    }
    expect(issued.length - beforeLastSecond, 'requests succeed again after the drop').toBeGreaterThan(5);
    expect(failures.length, 'no failures once the database is back').toBe(failuresBefore);
    expect(server!.stderr()).not.toMatch(/Unhandled|already executing a query/);

    expect(checks.length).toBeGreaterThan(20);
    expect(checks.filter((c) => !(c.status === 200 && c.active === true) && !(c.status === 503 && c.retryAfter))).toEqual([]);

    // Every token the server acknowledged with 200 is still active, and its issuance is in the audit log.
    const answers: Introspected[] = [];
    for (let i = 0; i < issued.length; i += 16) {
      answers.push(...(await Promise.all(issued.slice(i, i + 16).map((token) => introspect(url, token)))));
    }
    expect(answers.filter((a) => a.status !== 200 || a.active !== true)).toEqual([]);
    const audited = await auditedTokenHashes();
    expect(
      issued.filter((token) => !audited.has(tokenHash(token))),
      'acknowledged tokens missing from the audit log',
    ).toEqual([]);
  }, 60_000);
});
