import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { EXAMPLE_CONFIG, freePort, runCli, startCli, STACK_LINE } from './run.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-serve-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const env = () => ({ GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'serve.sqlite')}` });

describe('gatehouse serve: the issuer must be https off loopback (RFC 8414 §2, OAuth 2.1 §1.5)', () => {
  it('refuses an http issuer on a non-loopback host and starts nothing', async () => {
    const result = await runCli(['serve', '--config', EXAMPLE_CONFIG, '--issuer', 'http://auth.acme.example'], { env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gatehouse: refusing the http issuer http:\/\/auth\.acme\.example on a non-loopback host: tokens would travel in clear text\./);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(join(dir, 'serve.sqlite'))).toBe(false);
  });

  it('refuses literal secrets in the file when the issuer is public', async () => {
    const result = await runCli(['serve', '--config', EXAMPLE_CONFIG, '--issuer', 'https://auth.acme.example'], { env: env() });
    expect(result.code).toBe(1);
    const line = (await readFile(EXAMPLE_CONFIG, 'utf8')).split('\n').findIndex((l) => l.includes('secret: dev-only')) + 1;
    expect(result.stderr).toContain(`gatehouse.yaml:${line}:13: clients[0].secret: a literal secret is for development only; use secret_env with a non-loopback issuer`);
    expect(result.stderr).toContain('users[0].password: a literal password is for development only');
  });

  it('issue 10: refuses cimd.allow_loopback with a public https issuer in one line, and starts nothing', async () => {
    const config = join(dir, 'loopback-cimd.yaml');
    await writeFile(config, 'issuer: https://auth.acme.example\nserver:\n  cimd: { allow_loopback: true }\n');
    const result = await runCli(['serve', '--config', config], { env: { GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'loopback-cimd.sqlite')}` } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('gatehouse: server.cimd.allow_loopback is for development only and needs a loopback issuer, not https://auth.acme.example: remove it\n');
    expect(existsSync(join(dir, 'loopback-cimd.sqlite'))).toBe(false);
  });

  it('needs a database URL', async () => {
    const result = await runCli(['serve', '--config', EXAMPLE_CONFIG]);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/^gatehouse: no database: set GATEHOUSE_DATABASE_URL/) });
  });

  it('needs --tls-cert and --tls-key together', async () => {
    const result = await runCli(['serve', '--config', EXAMPLE_CONFIG, '--tls-cert', 'cert.pem'], { env: env() });
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'gatehouse: --tls-cert and --tls-key go together\n' });
  });

  it('serves RFC 8414 metadata for a loopback issuer, and stops on SIGTERM', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const server = await startCli(['serve', '--config', EXAMPLE_CONFIG, '--port', String(port), '--issuer', issuer], 'Gatehouse listening', { env: env() });
    try {
      const response = await fetch(`${issuer}/.well-known/oauth-authorization-server`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ issuer, token_endpoint: `${issuer}/token` });
    } finally {
      expect(await server.stop(), server.stderr()).toBe(0);
    }
  });

  it('serves https directly with --tls-cert/--tls-key and an https issuer', async () => {
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    const port = await freePort();
    const issuer = `https://127.0.0.1:${port}`;
    const server = await startCli(['serve', '--config', EXAMPLE_CONFIG, '--port', String(port), '--issuer', issuer, '--tls-cert', cert, '--tls-key', key], 'Gatehouse listening', { env: env() });
    try {
      expect(server.stdout()).toContain(`Gatehouse listening on ${issuer} (issuer ${issuer})`);
      const ca = await readFile(cert);
      const body = await new Promise<string>((resolve, reject) => {
        httpsRequest(`${issuer}/.well-known/oauth-authorization-server`, { ca }, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(JSON.parse(body)).toMatchObject({ issuer, authorization_endpoint: `${issuer}/authorize` });
    } finally {
      await server.stop();
    }
  });

  it('--allow-insecure-issuer accepts an http issuer on another host (test rigs)', async () => {
    const port = await freePort();
    const issuer = `http://gatehouse.test:${port}`;
    const config = join(dir, 'rig.yaml');
    // A test rig still may not hold literal secrets off loopback: use the environment.
    await writeFile(config, `issuer: ${issuer}\nclients:\n  - client_id: rig\n    name: Rig\n    grant_types: []\n    secret_env: RIG_SECRET\n`);
    const server = await startCli(['serve', '--config', config, '--port', String(port), '--allow-insecure-issuer'], 'Gatehouse listening', {
      env: { ...env(), RIG_SECRET: 'r'.repeat(40) },
    });
    try {
      const metadata = (await (await fetch(`http://127.0.0.1:${port}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
      expect(metadata.issuer).toBe(issuer);
    } finally {
      await server.stop();
    }
  });
});

describe('gatehouse dev', () => {
  it('creates .gatehouse/, applies the example, serves metadata and the demo MCP server, prints the demo users', async () => {
    const [port, mcpPort] = [await freePort(), await freePort()];
    const config = join(dir, 'dev.yaml');
    await writeFile(config, (await readFile(EXAMPLE_CONFIG, 'utf8')).replaceAll('127.0.0.1:4001', `127.0.0.1:${mcpPort}`));
    // The config names its Cedar policies relative to itself.
    await cp(join(dirname(EXAMPLE_CONFIG), 'policies'), join(dir, 'policies'), { recursive: true });
    const cwd = await mkdtemp(join(dir, 'dev-'));
    const dev = await startCli(['dev', '--port', String(port), '--config', config], 'Press Ctrl-C to stop.', { cwd });
    try {
      expect(existsSync(join(cwd, '.gatehouse', 'gatehouse.sqlite'))).toBe(true);
      const out = dev.stdout();
      expect(out).toContain(`issuer       http://127.0.0.1:${port}\n`);
      expect(out).toMatch(/maria@acme\.test\s+maria-dev-password\s+Management in acme/);
      expect(out).toMatch(/sam@acme\.test\s+sam-dev-password\s+Support in acme/);
      const metadata = await fetch(`http://127.0.0.1:${port}/.well-known/oauth-authorization-server`);
      expect(metadata.status).toBe(200);
      expect(((await metadata.json()) as { scopes_supported: string[] }).scopes_supported).toContain('finance:read:revenue');
      // The demo MCP server is up and challenges an anonymous caller (MCP authorization, RFC 9728).
      const mcp = await fetch(`http://127.0.0.1:${mcpPort}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(mcp.status).toBe(401);
      expect(mcp.headers.get('www-authenticate')).toContain(`resource_metadata="http://127.0.0.1:${mcpPort}/.well-known/oauth-protected-resource/mcp"`);
    } finally {
      expect(await dev.stop(), dev.stderr()).toBe(0);
    }
    await expect(fetch(`http://127.0.0.1:${port}/.well-known/oauth-authorization-server`)).rejects.toThrow();
  });
});
