/**
 * The node-level route for /token and /introspect (server/oauth-listener.ts)
 * answers exactly as the app's Hono routes do: same status, headers and
 * body, the same access line; and it takes only the requests the app would
 * answer the same way, leaving the rest (other paths, queries, chunked or
 * oversized bodies, Hosts @hono/node-server refuses) to the app.
 *
 * A request to `/token?` reaches the app (the listener takes exact paths
 * only) and Hono routes it to `/token`: the same request both ways.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { FORM_ENDPOINTS, type FormEndpoint, type ServerContext } from '@gatehouse-auth/authorization-server';
import { createLogger } from '../../src/server/logger.ts';
import { startGatehouse, type RunningGatehouse } from '../../src/server/start.ts';
import { oauthListener } from '../../src/server/oauth-listener.ts';
import { writeBenchConfig } from '../../../../bench/lib/as-gatehouse-config.ts';
import { AGENT, PUBLIC_CLIENT, RESOURCE, RESOURCE_SERVER, SCOPE } from '../../../../bench/lib/as-shared.ts';

const FORM = 'application/x-www-form-urlencoded';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request (fetch would add and normalise headers). */
function send(url: string, path: string, headers: Record<string, string | string[]>, body: string, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest({ host: target.hostname, port: target.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What must match between the two routes: everything but the date and the per-request id. */
const comparable = ({ status, headers, body }: Answer) => {
  const { date: _date, 'x-request-id': _id, ...rest } = headers;
  return { status, headers: rest, body };
};

describe('the node-level route answers /token and /introspect as the app does', () => {
  let gatehouse: RunningGatehouse;
  let dir: string;
  const logChunks: string[] = [];
  const accessLines = () =>
    logChunks
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === 'request');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-oauth-listener-'));
    const destination = new Writable({ write: (chunk, _enc, done) => (logChunks.push(String(chunk)), done()) });
    gatehouse = await startGatehouse({ config: writeBenchConfig(dir), databaseUrl: `sqlite:${join(dir, 'g.db')}`, logger: createLogger({ level: 'info', destination }) });
  });
  afterAll(async () => {
    await gatehouse?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The same request at node level (`path`) and through the app (`path?`);
   * checks that the first was indeed answered by the listener (its lookup
   * of the endpoint, wrapped to count) and the second was not.
   */
  const both = async (path: string, headers: Record<string, string | string[]>, body: string) => {
    const lookup = FORM_ENDPOINTS.get.bind(FORM_ENDPOINTS);
    let atNodeLevel = 0;
    const spy = vi.spyOn(FORM_ENDPOINTS, 'get').mockImplementation((key) => {
      const endpoint = lookup(key);
      return endpoint && (((ctx, request) => ((atNodeLevel += 1), endpoint(ctx, request))) as FormEndpoint);
    });
    try {
      const node = await send(gatehouse.url, path, headers, body);
      expect(atNodeLevel).toBe(1);
      const app = await send(gatehouse.url, `${path}?`, headers, body);
      expect(atNodeLevel).toBe(1);
      return { node, app };
    } finally {
      spy.mockRestore();
    }
  };

  const issue = async () => {
    const response = await send(
      gatehouse.url,
      '/token',
      { 'content-type': FORM, authorization: basic(AGENT.id, AGENT.secret) },
      new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, scope: SCOPE }).toString(),
    );
    return (JSON.parse(response.body) as { access_token: string }).access_token;
  };

  it('introspection of an active token: the same answer, security headers and no-store included', async () => {
    const token = await issue();
    const { node, app } = await both('/introspect', { 'content-type': FORM, authorization: basic(RESOURCE_SERVER.id, RESOURCE_SERVER.secret) }, new URLSearchParams({ token }).toString());
    expect(node.status).toBe(200);
    expect(JSON.parse(node.body)).toMatchObject({ active: true, client_id: AGENT.id });
    expect(node.headers['cache-control']).toBe('no-store');
    expect(node.headers['x-frame-options']).toBe('DENY');
    expect(comparable(node)).toEqual(comparable(app));
  });

  it('errors: the same status, OAuth error JSON and headers (invalid_client, a wrong content type, a repeated parameter, an unknown grant)', async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['/introspect', { 'content-type': FORM, authorization: basic(RESOURCE_SERVER.id, 'wrong-secret') }, 'token=x'],
      ['/introspect', { 'content-type': FORM, authorization: basic(AGENT.id, AGENT.secret) }, 'token=x'],
      ['/token', { 'content-type': 'application/json', authorization: basic(AGENT.id, AGENT.secret) }, '{}'],
      ['/token', { 'content-type': FORM, authorization: basic(AGENT.id, AGENT.secret) }, 'grant_type=client_credentials&grant_type=client_credentials'],
      ['/token', { 'content-type': FORM, authorization: basic(AGENT.id, AGENT.secret) }, 'grant_type=password'],
    ];
    for (const [path, headers, body] of cases) {
      const { node, app } = await both(path, headers, body);
      expect(node.status).toBeGreaterThanOrEqual(400);
      expect(comparable(node)).toEqual(comparable(app));
    }
  });

  it('issuance: the same status, headers and fields (the tokens themselves differ)', async () => {
    const { node, app } = await both(
      '/token',
      { 'content-type': FORM, authorization: basic(AGENT.id, AGENT.secret) },
      new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, scope: SCOPE }).toString(),
    );
    expect(node.status).toBe(200);
    const fields = (answer: Answer) => {
      const { access_token: _token, ...rest } = JSON.parse(answer.body) as Record<string, unknown>;
      return rest;
    };
    expect(fields(node)).toEqual(fields(app));
    const { 'content-length': _n, ...nodeHeaders } = comparable(node).headers;
    const { 'content-length': _a, ...appHeaders } = comparable(app).headers;
    expect(nodeHeaders).toEqual(appHeaders);
  });

  it('echoes a sane X-Request-Id and writes the same access line (route, status, client id)', async () => {
    logChunks.length = 0;
    const headers = { 'content-type': FORM, authorization: basic(RESOURCE_SERVER.id, RESOURCE_SERVER.secret), 'x-request-id': 'req-node-1' };
    const node = await send(gatehouse.url, '/introspect', headers, 'token=unknown');
    const app = await send(gatehouse.url, '/introspect?', { ...headers, 'x-request-id': 'req-app-1' }, 'token=unknown');
    expect(node.headers['x-request-id']).toBe('req-node-1');
    expect(app.headers['x-request-id']).toBe('req-app-1');
    const lines = accessLines().map(({ time: _t, ms: _ms, reqId, ...line }) => ({ reqId, ...line }));
    expect(lines).toEqual([
      { reqId: 'req-node-1', level: 30, service: 'gatehouse', method: 'POST', route: '/introspect', status: 200, clientId: RESOURCE_SERVER.id, msg: 'request' },
      { reqId: 'req-app-1', level: 30, service: 'gatehouse', method: 'POST', route: '/introspect', status: 200, clientId: RESOURCE_SERVER.id, msg: 'request' },
    ]);
  });

  it('without a request scope: the access line names the client the request authenticated as, and the reason for a refusal carries the request id', async () => {
    logChunks.length = 0;
    // A public client (no Basic credentials to name it), then a grant type it may not use: refused after authentication, no event published.
    const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: PUBLIC_CLIENT }).toString();
    const refused = await send(gatehouse.url, '/token', { 'content-type': FORM, 'x-request-id': 'req-node-2' }, body);
    expect(refused.status).toBe(400);
    const lines = logChunks
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.msg === 'token request rejected')).toMatchObject({ reqId: 'req-node-2', error: 'unauthorized_client' });
    expect(accessLines()).toEqual([expect.objectContaining({ reqId: 'req-node-2', route: '/token', status: 400, clientId: PUBLIC_CLIENT })]);
  });

  it('a declared body over the limit is refused as the app refuses it (413, connection closed)', async () => {
    const headers = { 'content-type': FORM, authorization: basic(AGENT.id, AGENT.secret), 'content-length': String(gatehouse.context.options.maxBodyBytes + 1) };
    const refused = await new Promise<Answer>((resolve, reject) => {
      const target = new URL(gatehouse.url);
      const req = httpRequest({ host: target.hostname, port: target.port, path: '/token', method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.write('grant_type=client_credentials');
    });
    expect(refused.status).toBe(413);
    expect(refused.headers.connection).toBe('close');
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'request_too_large' });
  });
});

describe('which requests the node-level route takes', () => {
  let server: Server;
  let url: string;
  const taken: string[] = [];
  beforeAll(async () => {
    const context = { options: { maxBodyBytes: 100, dynamicRegistration: { maxBodyBytes: 100 } } } as unknown as ServerContext;
    const listener = oauthListener({
      context,
      observed: {
        serveNode: async (_incoming: IncomingMessage, outgoing, path) => {
          taken.push(`node ${path}`);
          outgoing.end();
        },
      },
      bindings: () => ({}),
      fallback: (incoming, outgoing) => {
        taken.push(`app ${incoming.url}`);
        incoming.resume();
        outgoing.end();
      },
    });
    server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('only POSTs to exactly /token or /introspect with a declared body within the limit; everything else goes to the app', async () => {
    taken.length = 0;
    await send(url, '/token', { 'content-type': FORM }, 'a=1');
    await send(url, '/introspect', { 'content-type': FORM }, 'a=1');
    await send(url, '/token?x=1', { 'content-type': FORM }, 'a=1');
    await send(url, '/revoke', { 'content-type': FORM }, 'a=1');
    await send(url, '/token', {}, '', 'GET');
    await send(url, '/token', { 'content-type': FORM, 'transfer-encoding': 'chunked' }, 'a=1');
    await send(url, '/token', { 'content-type': FORM }, 'a='.padEnd(101, 'x'));
    await send(url, '/token', { 'content-type': FORM, host: 'a@b' }, 'a=1');
    expect(taken).toEqual(['node /token', 'node /introspect', 'app /token?x=1', 'app /revoke', 'app /token', 'app /token', 'app /token', 'app /token']);
  });
});
