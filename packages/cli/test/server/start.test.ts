import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import { createTestStore } from '@gatehouse-auth/store/testing';
import { startGatehouse } from '../../src/server/start.ts';
import { createLogger } from '../../src/server/logger.ts';
import { parseConfig } from '../../src/config/load.ts';

const EXAMPLE = new URL('../../../../examples/internal-company/gatehouse.yaml', import.meta.url);

describe('startGatehouse', () => {
  it('applies the config, listens on a free port and derives the issuer from it', async () => {
    const gatehouse = await startGatehouse({ config: parseConfig(await readFile(EXAMPLE, 'utf8')) });
    try {
      expect(gatehouse.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(gatehouse.issuer).toBe(gatehouse.url);
      expect(gatehouse.changes.length).toBe(24);
      const metadata = await (await fetch(`${gatehouse.url}/.well-known/oauth-authorization-server`)).json();
      expect(metadata).toMatchObject({ issuer: gatehouse.issuer });
    } finally {
      await gatehouse.close();
    }
    await expect(fetch(`${gatehouse.url}/.well-known/oauth-authorization-server`)).rejects.toThrow();
  });

  it('takes token lifetimes from the config’s server section, with caller overrides merged one level deep', async () => {
    const config = parseConfig('server:\n  access_token_ttl: { critical: 600 }\n  cimd: { timeout_ms: 1000 }\n');
    const gatehouse = await startGatehouse({ config, options: { cimd: { allowLoopback: true } } });
    try {
      expect(gatehouse.context.options.accessTokenTtl).toEqual({ routine: 3600, sensitive: 1800, critical: 600 });
      expect(gatehouse.context.options.cimd).toMatchObject({ timeoutMs: 1000, allowLoopback: true, enabled: true });
    } finally {
      await gatehouse.close();
    }
  });

  it('leaves a store it was given open on close (the caller owns it)', async () => {
    const { store, cleanup } = await createTestStore('sqlite');
    try {
      const gatehouse = await startGatehouse({ store });
      await gatehouse.close();
      expect(await store.roles.list()).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it('refuses an http issuer on a non-loopback host unless allowed (RFC 8414 §2)', async () => {
    await expect(startGatehouse({ issuer: 'http://auth.acme.example' })).rejects.toThrow(/must use https/);
  });
});

describe('startGatehouse over TLS', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-tls-'));
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
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('serves https with the given certificate and an https issuer', async () => {
    const gatehouse = await startGatehouse({ tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') } });
    try {
      expect(gatehouse.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = await readFile(join(dir, 'cert.pem'));
      const body = await new Promise<string>((resolve, reject) => {
        request(`${gatehouse.url}/.well-known/oauth-authorization-server`, { ca }, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      expect(JSON.parse(body)).toMatchObject({ issuer: gatehouse.url, token_endpoint: `${gatehouse.url}/token` });
    } finally {
      await gatehouse.close();
    }
  });
});

describe('logging never holds a secret', () => {
  it('redacts token, code, secret and password fields and the Authorization header', () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _e, done) => void (lines.push(chunk.toString()), done()) });
    const logger = createLogger({ level: 'info', destination });
    logger.info(
      { access_token: 'at-SECRET1', body: { refresh_token: 'rt-SECRET2', code: 'code-SECRET3', client_secret: 'cs-SECRET4' }, password: 'pw-SECRET5', headers: { authorization: 'Bearer SECRET6' } },
      'request',
    );
    const text = lines.join('');
    expect(text).not.toMatch(/SECRET\d/);
    expect(text).toContain('[redacted]');
  });
});
