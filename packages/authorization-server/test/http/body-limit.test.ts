/**
 * Issue 10, findings 3 and 7: every body everywhere has a size limit before
 * it is read, a refusal does not break a pooling client, a large streamed
 * body does not grow the process by its size, and a malformed form body is
 * a 400 page, not a 500. The real listener (@hono/node-server, as `serve`
 * runs it) is used where the socket's behaviour is the point.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createHarness, TestBrowser, type Harness } from '../authorize/harness.ts';

let h: Harness;
let server: Server | undefined;
let origin: string;

beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  if (server) {
    const closing = server;
    server = undefined;
    closing.closeAllConnections();
    await new Promise<void>((resolve) => closing.close(() => resolve()));
  }
});

/** Serves the harness app as `gatehouse serve` does: Node's request reaches the app as env.incoming. */
async function serveOverHttp(): Promise<void> {
  server = createServer(getRequestListener((request, env) => h.app.fetch(request, env)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const oversized = 'x=' + 'a'.repeat(20 * 1024);

describe('Every body everywhere has a size limit before it is read', () => {
  const jsonEndpoints = ['/token', '/introspect', '/revoke', '/register', '/admin/users/usr_x/disable', '/account/grants/g/revoke'];
  const pages = ['/login', '/signup', '/logout', '/authorize', '/interaction/ia_x'];

  it.each(jsonEndpoints)('answers 413 request_too_large as OAuth JSON with Connection: close on %s', async (path) => {
    const response = await new TestBrowser(h).request(path, { method: 'POST', body: oversized, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toMatchObject({ error: 'request_too_large' });
  });

  it.each(pages)('answers 413 with an HTML page and Connection: close on %s', async (path) => {
    const response = await new TestBrowser(h).request(path, { method: 'POST', body: oversized, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('too large');
  });

  it('refuses by Content-Length without reading, on the real listener', async () => {
    await serveOverHttp();
    const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = httpRequest(`${origin}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(150 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
      });
      req.on('error', reject);
      // The body never arrives: the answer must not wait for it.
      req.setTimeout(5_000, () => req.destroy(new Error('no answer before the body')));
      req.write('x=1');
    });
    expect(answer).toEqual({ status: 413, connection: 'close' });
  });

  it('issue 10: POST 1 MB to /register, then four metadata fetches on the pooled connection all succeed', async () => {
    await serveOverHttp();
    const refused = await fetch(`${origin}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'x'.repeat(1024 * 1024) }) });
    expect(refused.status).toBe(413);
    expect(refused.headers.get('connection')).toBe('close');
    await refused.text();
    for (let i = 0; i < 4; i++) {
      const metadata = await fetch(`${origin}/.well-known/oauth-authorization-server`);
      expect(metadata.status).toBe(200);
      await metadata.json();
    }
  });

  it('a 150 MB chunked body to /login does not grow the process by its size', async () => {
    await serveOverHttp();
    const before = process.memoryUsage();
    let peak = 0;
    const sample = (): void => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.heapUsed + now.arrayBuffers - (before.heapUsed + before.arrayBuffers));
    };
    const sampler = setInterval(sample, 5);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const status = await new Promise<number>((resolve) => {
      // No Content-Length: the body arrives chunked and is only ever read up to the limit.
      const req = httpRequest(`${origin}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(-1));
      let sent = 0;
      const pump = (): void => {
        while (sent < 150 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      req.write('x=');
      pump();
    });
    clearInterval(sampler);
    sample();
    if (process.env.SHOW_PEAK) console.log(`PEAK ${(peak / 1048576).toFixed(1)} MB, status ${status}`);
    expect(status).toBe(413);
    expect(peak).toBeLessThan(32 * 1024 * 1024);
  });
});

describe('Chunked bodies within the limit reach the endpoint', () => {
  const chunkedPost = (url: string): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.setTimeout(5_000, () => req.destroy(new Error('no answer')));
      req.write('grant_type=client_credentials&');
      req.end('client_id=nobody');
    });

  it('answers a small chunked token request at the root and under an issuer path (read once, capped)', async () => {
    await serveOverHttp();
    expect(await chunkedPost(`${origin}/token`)).toMatchObject({ status: 401, text: expect.stringContaining('invalid_client') });
    h = await createHarness({ issuer: 'http://127.0.0.1:4444/tenant' });
    expect(await chunkedPost(`${origin}/tenant/token`)).toMatchObject({ status: 401, text: expect.stringContaining('invalid_client') });
  });
});

describe('A malformed body on a page is the caller’s error (400), never a 500', () => {
  const malformed = { 'content-type': 'multipart/form-data; boundary=zzz', origin: 'http://127.0.0.1:4444' };
  const body = '--zzz\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nunterminated';

  it.each(['/login', '/logout', '/interaction/ia_x'])('answers a malformed multipart body on %s with a 400 page and logs no stack', async (path) => {
    const response = await new TestBrowser(h).request(path, { method: 'POST', body, headers: malformed });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(h.logs.join('\n')).not.toMatch(/unhandled error/);
  });
});
