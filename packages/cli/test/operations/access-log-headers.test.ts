/**
 * The headers the operations wrapper adds to every response (issue 11,
 * item 4) reach the client when they are set on Node's response instead of
 * the web Response: the request id, and `Connection: close` while draining
 * so that keep-alive clients move to another instance.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { observeRequests } from '../../src/operations/access-log.ts';
import type { HealthSources } from '../../src/operations/health.ts';
import type { ServerMetrics } from '../../src/operations/metrics.ts';
import { createLogger } from '../../src/server/logger.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(draining: boolean, answer: () => Response): Promise<string> {
  const logger = createLogger({ level: 'info', destination: new Writable({ write: (_c, _e, done) => done() }) });
  const metrics = { observeRequest: () => {} } as unknown as ServerMetrics;
  const health = { draining: () => draining } as unknown as HealthSources;
  const observed = observeRequests(async () => answer(), { logger, metrics, health, exposeMetrics: false, issuerPath: '' });
  server = createServer(getRequestListener((request, env) => observed.handler(request, env.incoming as IncomingMessage, env.outgoing as ServerResponse)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** node:http, so the Connection header is seen as sent (fetch hides it). */
const get = (url: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    httpRequest(`${url}/token`, { headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    })
      .on('error', reject)
      .end();
  });

describe('operations headers on the Node response', () => {
  it('returns the sane incoming X-Request-Id beside the headers the app set, and keeps the connection open when not draining', async () => {
    const url = await serve(false, () => new Response('{"ok":true}', { status: 201, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } }));
    const response = await get(url, { 'x-request-id': 'lb-1.2:3', connection: 'keep-alive' });
    expect(response.status).toBe(201);
    expect(response.body).toBe('{"ok":true}');
    expect(response.headers).toMatchObject({ 'x-request-id': 'lb-1.2:3', 'content-type': 'application/json', 'cache-control': 'no-store', connection: 'keep-alive' });
  });

  it('sends Connection: close on every response while draining', async () => {
    const url = await serve(true, () => new Response('bye'));
    const response = await get(url, { connection: 'keep-alive' });
    expect(response.headers.connection).toBe('close');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('still adds them to a Response whose headers are immutable (a fetched one)', async () => {
    const fetched = await fetch('data:text/plain,hello');
    const url = await serve(false, () => fetched);
    const response = await get(url, { 'x-request-id': 'abc' });
    expect(response.headers['x-request-id']).toBe('abc');
    expect(response.body).toBe('hello');
  });
});
