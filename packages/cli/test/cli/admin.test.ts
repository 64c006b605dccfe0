import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256, type TokenRecord } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { EXAMPLE_CONFIG, runCli, STACK_LINE } from './run.ts';

let dir: string;
let env: Record<string, string>;
let databaseUrl: string;

/** Opens the same SQLite file the CLI uses, only while no CLI process runs. */
async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await createStore(databaseUrl);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function insertToken(email: string, clientId = 'internal-company-mcp'): Promise<string> {
  return withStore(async (store) => {
    const user = (await store.users.getByEmail(email))!;
    const org = (await store.orgs.getBySlug('acme'))!;
    const now = Date.now();
    const hash = sha256(`token-${email}-${Math.random()}`);
    const token: TokenRecord = {
      hash,
      kind: 'access',
      format: 'opaque',
      grantId: null,
      familyId: hash,
      clientId,
      userId: user.id,
      orgId: org.id,
      resource: 'http://127.0.0.1:4001/mcp',
      scopes: ['employees:read:public'],
      createdAt: now,
      expiresAt: now + 3_600_000,
      revokedAt: null,
      rotatedAt: null,
      parentHash: null,
    };
    await store.tokens.insert([token]);
    return hash;
  });
}

const revokedAt = (hash: string) => withStore(async (store) => (await store.tokens.get(hash))?.revokedAt ?? null);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
  databaseUrl = `sqlite:${join(dir, 'gatehouse.sqlite')}`;
  env = { GATEHOUSE_DATABASE_URL: databaseUrl };
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('gatehouse apply', () => {
  it('applies the example config, then reports no changes the second time', async () => {
    const first = await runCli(['apply', '-f', EXAMPLE_CONFIG], { env });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('+ role Management\n');
    expect(first.stdout).toContain('+ membership sam@acme.test in acme (roles [Support])\n');
    expect(first.stdout).toMatch(/24 changes applied\n$/);
    const second = await runCli(['apply', '-f', EXAMPLE_CONFIG], { env });
    expect(second).toMatchObject({ code: 0, stdout: 'no changes: the database matches the file\n' });
  });

  it('rejects a file with an unknown role: file:line:col and reason on stderr, exit 1, database unchanged', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'roles:\n  - name: Support\nscopes:\n  - name: finance:read:revenue\n    allowed_roles: [Finance]\n');
    const before = await runCli(['roles', 'list', '--json'], { env });
    const result = await runCli(['apply', '-f', bad], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('bad.yaml:5:21: scopes[0].allowed_roles[0]: unknown role "Finance"\n');
    expect(result.stdout).toBe('');
    expect(await runCli(['roles', 'list', '--json'], { env })).toEqual(before);
  });

  it('--dry-run prints the changes and writes nothing', async () => {
    const edited = join(dir, 'edited.yaml');
    const { readFile } = await import('node:fs/promises');
    await writeFile(edited, (await readFile(EXAMPLE_CONFIG, 'utf8')).replace('name: Acme Inc.', 'name: Acme Corporation'));
    const dry = await runCli(['apply', '-f', edited, '--dry-run', '--json'], { env });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ dryRun: true, changes: [{ op: '~', kind: 'org', name: 'acme', detail: 'name Acme Inc. → Acme Corporation' }] });
    const orgs = JSON.parse((await runCli(['orgs', 'list', '--json'], { env })).stdout) as { name: string }[];
    expect(orgs.map((o) => o.name)).toEqual(['Acme Inc.']);
  });
});

describe('gatehouse users / members / roles', () => {
  it('lists users as a table and as JSON, never with a password hash', async () => {
    const table = await runCli(['users', 'list'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^EMAIL\s+NAME\s+STATUS\s+MEMBERSHIPS\s+ID$/);
    expect(table.stdout).toMatch(/maria@acme\.test\s+Maria Management\s+active\s+acme: Management/);
    const json = await runCli(['users', 'list', '--json'], { env });
    const users = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(users.map((u) => u.email)).toEqual(['eli@acme.test', 'hana@acme.test', 'maria@acme.test', 'sam@acme.test']);
    expect(json.stdout).not.toContain('argon2');
    expect(users.every((u) => !('passwordHash' in u) && u.hasPassword === true)).toBe(true);
  });

  it('adds a user with a password from the environment and a membership', async () => {
    const result = await runCli(['users', 'add', '--email', 'Nia@acme.test', '--name', 'Nia', '--password-env', 'NIA_PASSWORD', '--org', 'acme', '--roles', 'Support'], {
      env: { ...env, NIA_PASSWORD: 'nia-long-password' },
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^created user nia@acme\.test \(usr_[\w-]+\) in acme as Support\n$/);
    const stored = await withStore((store) => store.users.getByEmail('nia@acme.test'));
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a duplicate user, an unknown role and a short password with one line and exit 1', async () => {
    const duplicate = await runCli(['users', 'add', '--email', 'nia@acme.test', '--name', 'Nia'], { env });
    expect(duplicate).toEqual({ code: 1, stdout: '', stderr: 'gatehouse: a user with email nia@acme.test already exists\n' });
    const role = await runCli(['members', 'set-roles', 'eli@acme.test', 'acme', '--roles', 'Engineering,Finance'], { env });
    expect(role).toEqual({ code: 1, stdout: '', stderr: 'gatehouse: unknown role "Finance" (known: Engineering, HR, Management, Support)\n' });
    const short = await runCli(['users', 'add', '--email', 'x@acme.test', '--name', 'X', '--password-stdin'], { env, input: 'short\n' });
    expect(short).toEqual({ code: 1, stdout: '', stderr: 'gatehouse: a password needs 10 to 256 characters\n' });
  });

  it('changing a member’s roles revokes their tokens in the organization', async () => {
    const token = await insertToken('eli@acme.test');
    const result = await runCli(['members', 'set-roles', 'eli@acme.test', 'acme', '--roles', 'Engineering,Support'], { env });
    expect(result).toEqual({ code: 0, stdout: 'set eli@acme.test in acme: Engineering, Support; revoked 1 token\n', stderr: '' });
    expect(await revokedAt(token)).not.toBeNull();
  });

  it('disabling a user revokes their tokens at once; enabling lets them sign in again', async () => {
    const token = await insertToken('sam@acme.test');
    const disabled = await runCli(['users', 'disable', 'sam@acme.test'], { env });
    expect(disabled).toMatchObject({ code: 0, stdout: 'sam@acme.test is disabled\n' });
    expect(await revokedAt(token)).not.toBeNull();
    const enabled = await runCli(['users', 'enable', 'sam@acme.test', '--json'], { env });
    expect(JSON.parse(enabled.stdout)).toMatchObject({ email: 'sam@acme.test', status: 'active' });
  });

  it('removing a member revokes their tokens in the organization', async () => {
    const token = await insertToken('nia@acme.test');
    const result = await runCli(['members', 'remove', 'nia@acme.test', 'acme'], { env });
    expect(result).toMatchObject({ code: 0, stdout: 'removed nia@acme.test from acme; revoked 1 token\n' });
    expect(await revokedAt(token)).not.toBeNull();
  });

  it('lists roles with the scopes each may grant', async () => {
    const result = await runCli(['roles', 'list', '--json'], { env });
    const support = (JSON.parse(result.stdout) as { name: string; scopes: string[] }[]).find((r) => r.name === 'Support');
    expect(support?.scopes).toEqual(['customers:read:summary', 'employees:read:public', 'ticket:write:update', 'tickets:read']);
  });
});

describe('gatehouse clients / tokens / orgs', () => {
  it('registers a service agent, shows its secret once and stores only the SHA-256', async () => {
    const result = await runCli(['clients', 'add', '--id', 'nightly-report', '--name', 'Nightly report', '--service', '--org', 'acme', '--roles', 'Management', '--json'], { env });
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { client_secret: string; kind: string; roles: string[] };
    expect(printed).toMatchObject({ kind: 'service', roles: ['Management'] });
    const stored = await withStore((store) => store.clients.get('nightly-report'));
    expect(stored?.secretHash).toBe(sha256(printed.client_secret));
    const list = await runCli(['clients', 'list', '--json'], { env });
    expect(list.stdout).not.toContain(printed.client_secret);
  });

  it('disabling a client revokes its tokens', async () => {
    const token = await insertToken('maria@acme.test', 'nightly-report');
    const result = await runCli(['clients', 'disable', 'nightly-report'], { env });
    expect(result).toMatchObject({ code: 0, stdout: 'disabled client nightly-report; revoked 1 token\n' });
    expect(await revokedAt(token)).not.toBeNull();
  });

  it('tokens revoke --user revokes every token of the user', async () => {
    const token = await insertToken('hana@acme.test');
    const result = await runCli(['tokens', 'revoke', '--user', 'hana@acme.test', '--json'], { env });
    expect(JSON.parse(result.stdout)).toEqual({ revokedTokens: 1 });
    expect(await revokedAt(token)).not.toBeNull();
  });

  it('tokens revoke needs exactly one selector', async () => {
    expect(await runCli(['tokens', 'revoke'], { env })).toEqual({ code: 1, stdout: '', stderr: 'gatehouse: give exactly one of --user, --client or --grant\n' });
  });

  it('grants limit time-boxes one scope of a grant, never extends it, and refuses a scope the grant does not hold', async () => {
    const grantId = await withStore(async (store) => {
      const user = (await store.users.getByEmail('hana@acme.test'))!;
      const org = (await store.orgs.getBySlug('acme'))!;
      const now = Date.now();
      const grant = {
        id: `grt_cli_${Math.random().toString(36).slice(2)}`,
        userId: user.id,
        orgId: org.id,
        clientId: 'internal-company-mcp',
        resource: 'http://127.0.0.1:4001/mcp',
        scopes: ['employees:read:public', 'tickets:read'],
        scopeConsentedAt: {},
        expiresAt: null,
        scopeExpiresAt: {},
        createdAt: now,
        updatedAt: now,
        revokedAt: null,
      };
      await store.grants.create(grant);
      return grant.id;
    });
    const limited = await runCli(['grants', 'limit', grantId, '--scope', 'tickets:read', '--until', '2020-01-01T00:00:00Z', '--json'], { env });
    expect(limited.code, limited.stderr).toBe(0);
    expect(JSON.parse(limited.stdout)).toEqual({ grantId, scopes: ['tickets:read'], until: '2020-01-01T00:00:00.000Z' });
    // A later end does not move it back.
    expect((await runCli(['grants', 'limit', grantId, '--scope', 'tickets:read', '--for', '3d'], { env })).code).toBe(0);
    const stored = await withStore(async (store) => store.grants.get(grantId));
    expect(stored).toMatchObject({ expiresAt: null, scopeExpiresAt: { 'tickets:read': Date.parse('2020-01-01T00:00:00Z') } });
    expect(await runCli(['grants', 'limit', grantId, '--scope', 'payroll:runs:approve', '--for', '8h'], { env })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'gatehouse: the grant does not hold payroll:runs:approve\n',
    });
    expect((await runCli(['grants', 'limit', grantId, '--for', 'soon'], { env })).stderr).toBe('gatehouse: --for: "soon" is not a duration like 90m, 8h or 3d\n');
  });

  it('adds an organization and refuses an invalid slug', async () => {
    expect(await runCli(['orgs', 'add', '--slug', 'globex', '--name', 'Globex'], { env })).toMatchObject({ code: 0 });
    const bad = await runCli(['orgs', 'add', '--slug', 'Not A Slug', '--name', 'X'], { env });
    expect(bad).toEqual({ code: 1, stdout: '', stderr: 'gatehouse: slug: lower-case letters, digits and -\n' });
  });

  it('records admin changes made from the terminal in the audit log, attributed to the operator', async () => {
    const rows = await withStore(async (store) => {
      const { db } = (await import('@gatehouse-auth/store')).kyselyOf(store);
      return (await db
        .selectFrom('audit_records' as never)
        .selectAll()
        .execute()) as Record<string, unknown>[];
    });
    const types = rows.map((r) => r.type);
    expect(types).toContain('admin.user.disabled');
    expect(types).toContain('admin.client.registered');
    expect(types).toContain('token.revoked');
  });
});

describe('gatehouse migrate', () => {
  it('creates the schema of a new database, then reports it up to date', async () => {
    const fresh = { GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'fresh.sqlite')}` };
    const first = await runCli(['migrate', '--json'], { env: fresh });
    expect(first.code).toBe(0);
    expect((JSON.parse(first.stdout) as { applied: string[] }).applied.length).toBeGreaterThan(0);
    expect(await runCli(['migrate'], { env: fresh })).toEqual({ code: 0, stdout: 'database is up to date\n', stderr: '' });
  });
});

describe('gatehouse members add / clients add --public', () => {
  it('adds a member with roles, and refuses adding them twice', async () => {
    const added = await runCli(['members', 'add', 'maria@acme.test', 'globex', '--roles', 'HR,Management'], { env });
    expect(added).toMatchObject({ code: 0, stdout: 'added maria@acme.test in globex: HR, Management\n' });
    const again = await runCli(['members', 'add', 'maria@acme.test', 'globex', '--roles', 'HR'], { env });
    expect(again).toEqual({ code: 1, stdout: '', stderr: 'gatehouse: maria@acme.test is already a member of globex (use "members set-roles")\n' });
  });

  it('registers a public client without a secret, and refuses one without a redirect URI', async () => {
    const ok = await runCli(['clients', 'add', '--id', 'desk-app', '--name', 'Desk app', '--public', '--redirect-uri', 'http://127.0.0.1:8765/callback'], { env });
    expect(ok).toMatchObject({ code: 0, stdout: 'registered client desk-app\n' });
    const stored = await withStore((store) => store.clients.get('desk-app'));
    expect(stored).toMatchObject({ tokenEndpointAuthMethod: 'none', secretHash: null, redirectUris: ['http://127.0.0.1:8765/callback'] });
    const bad = await runCli(['clients', 'add', '--name', 'No redirect', '--public'], { env });
    expect(bad).toEqual({ code: 1, stdout: '', stderr: 'gatehouse: redirect-uris: an authorization_code client needs at least one redirect URI\n' });
  });
});

describe('gatehouse: errors are one line, never a stack trace', () => {
  it('names a missing database instead of creating one', async () => {
    const result = await runCli(['users', 'list'], { env: { GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'typo.sqlite')}` } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gatehouse: no database at .*typo\.sqlite \(run "gatehouse dev" or "gatehouse migrate" first, or set GATEHOUSE_DATABASE_URL\)\n$/);
  });

  it('reports a user that does not exist', async () => {
    expect(await runCli(['users', 'disable', 'nobody@acme.test'], { env })).toEqual({ code: 1, stdout: '', stderr: 'gatehouse: no user with email nobody@acme.test\n' });
  });

  it('rejects an unknown command and an unknown option with exit 1 and no stack', async () => {
    for (const args of [['frobnicate'], ['users', 'list', '--colour']]) {
      const result = await runCli(args, { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: unknown (command|option)/);
      expect(result.stderr).not.toMatch(STACK_LINE);
    }
  });

  it('prints help for every command with exit 0', async () => {
    const result = await runCli(['members', 'set-roles', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: gatehouse members set-roles [options] <email> <org>');
  });
});
