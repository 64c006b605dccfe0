/**
 * Issue 11, item 4: /healthz, /readyz and /metrics, the request id and the
 * access log, as an operator and a load balancer see them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { startGatehouse, type RunningGatehouse } from '../../src/server/start.ts';
import { createLogger } from '../../src/server/logger.ts';
import { opsConfig, tokenRequest, BOT } from './fixture.ts';

let gatehouse: RunningGatehouse;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const destination = new Writable({
    write: (chunk, _enc, done) => (
      lines.push(
        ...String(chunk)
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      ),
      done()
    ),
  });
  gatehouse = await startGatehouse({ config: opsConfig(), logger: createLogger({ level: 'info', destination }), metrics: { port: 0 } });
});
afterAll(async () => gatehouse?.close());

describe('health endpoints (issue 11, item 4)', () => {
  it('GET /healthz answers 200 while the process runs', async () => {
    const response = await fetch(`${gatehouse.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 once the database answers, the signing key is loaded and the audit writer is healthy', async () => {
    const response = await fetch(`${gatehouse.url}/readyz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok', signing_keys: 'ok', audit: 'ok' } });
  });
});

describe('request id and access log (issue 11, item 4)', () => {
  it('returns a sane incoming X-Request-Id and logs one line with id, route, status, duration and client id, never the token', async () => {
    const response = await tokenRequest(gatehouse.url, { 'x-request-id': 'lb-4f2a.9:abc' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('lb-4f2a.9:abc');
    const { access_token } = (await response.json()) as { access_token: string };
    const line = lines.find((l) => l.reqId === 'lb-4f2a.9:abc' && l.msg === 'request');
    expect(line).toMatchObject({ method: 'POST', route: '/token', status: 200, clientId: BOT.id, ms: expect.any(Number) });
    expect(JSON.stringify(lines)).not.toContain(access_token);
  });

  it('keeps credentials out of the access line, which skips pino redaction: a token in the query string, a Bearer header, a Basic secret, a form secret', async () => {
    const secret = 'sekrit-credential-for-the-access-log-0123456789';
    await fetch(`${gatehouse.url}/token?code=${secret}&access_token=${secret}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'x-request-id': 'no-secret-1' } });
    await fetch(`${gatehouse.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${BOT.id}:${secret}`).toString('base64')}`, 'x-request-id': 'no-secret-2', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_secret: secret, refresh_token: secret }),
    });
    const access = lines.filter((l) => l.msg === 'request' && (l.reqId === 'no-secret-1' || l.reqId === 'no-secret-2'));
    // Both refused (400), both logged.
    expect(access.map((l) => [l.route, l.status])).toEqual([
      ['/token', 400],
      ['/token', 400],
    ]);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });

  it('replaces an X-Request-Id that is too long or carries characters that could forge log structure', async () => {
    for (const hostile of ['a'.repeat(129), 'id"with quotes', 'id with space', 'ünicode']) {
      const response = await fetch(`${gatehouse.url}/.well-known/oauth-authorization-server`, { headers: { 'x-request-id': hostile } });
      const id = response.headers.get('x-request-id');
      expect(id).not.toBe(hostile);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('labels a path with ids by its route, and an unknown path as other (bounded metric labels)', async () => {
    await fetch(`${gatehouse.url}/register/some-client-id-123`);
    await fetch(`${gatehouse.url}/no/such/${'x'.repeat(20)}`);
    const routes = lines.filter((l) => l.msg === 'request').map((l) => l.route);
    expect(routes).toContain('/register/:clientId');
    expect(routes).toContain('other');
    expect(routes.some((r) => String(r).includes('some-client-id-123'))).toBe(false);
  });
});

describe('Prometheus metrics (issue 11, item 4)', () => {
  it('are not served on the issuer’s port unless asked (production keeps them off the public listener)', async () => {
    const response = await fetch(`${gatehouse.url}/metrics`);
    expect(response.status).toBe(404);
  });

  it('serve requests by route and status with latency histograms, tokens issued and revoked, refresh families and audit lag on the metrics port', async () => {
    const { access_token } = (await (await tokenRequest(gatehouse.url)).json()) as { access_token: string };
    const revoke = await fetch(`${gatehouse.url}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${BOT.id}:${BOT.secret}`).toString('base64')}` },
      body: new URLSearchParams({ token: access_token }),
    });
    expect(revoke.status).toBe(200);
    expect(gatehouse.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(gatehouse.metricsUrl!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^gatehouse_http_requests_total\{route="\/token",method="POST",status="200"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gatehouse_http_request_duration_seconds_bucket\{le="0\.5",route="\/token",method="POST",status="200"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gatehouse_tokens_issued_total\{event="token\.issued"\} [1-9]\d*$/m);
    expect(text).toMatch(/^gatehouse_tokens_revoked_total\{event="token\.revoked",reason="[a-z_]+"\} 1$/m);
    expect(text).toMatch(/^gatehouse_active_refresh_families \d+$/m);
    expect(text).toMatch(/^gatehouse_audit_append_lag_seconds \d/m);
    expect(text).toMatch(/^gatehouse_process_resident_memory_bytes \d+$/m);
    expect(text).not.toContain(access_token);
  });
});
