/**
 * A stand-in authorization server for the SDK's unit tests: RFC 7662
 * introspection behind client_secret_basic, the revocation SSE stream in the
 * exact wire format the real AS uses, and a JWKS. Tests control the token
 * table, push events and can stop/restart the listener (same port).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const INTROSPECTION_CLIENT = { clientId: 'rs client', clientSecret: 's3cret:with/odd chars' };

export interface FakeAuthorizationServer {
  issuer: string;
  tokens: Map<string, Record<string, unknown>>;
  introspectionCalls: number;
  lastAuthorization: string | undefined;
  jwks: { keys: unknown[] };
  jwksStatus: number;
  streamClients: number;
  streamConnects: number;
  push(event: Record<string, unknown>): void;
  dropStreams(): void;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export async function startFakeAuthorizationServer(): Promise<FakeAuthorizationServer> {
  const expected = `Basic ${Buffer.from(`${encodeURIComponent(INTROSPECTION_CLIENT.clientId)}:${encodeURIComponent(INTROSPECTION_CLIENT.clientSecret)}`).toString('base64')}`;
  const streams = new Set<ServerResponse>();
  let server: Server;
  let port = 0;

  const state: FakeAuthorizationServer = {
    issuer: '',
    tokens: new Map(),
    introspectionCalls: 0,
    lastAuthorization: undefined,
    jwks: { keys: [] },
    jwksStatus: 200,
    streamConnects: 0,
    get streamClients() {
      return streams.size;
    },
    push(event) {
      for (const res of streams) res.write(`event: revocation\ndata: ${JSON.stringify({ at: Date.now(), ...event })}\n\n`);
    },
    dropStreams() {
      for (const res of streams) res.destroy();
      streams.clear();
    },
    async stop() {
      state.dropStreams();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async restart() {
      await listen();
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/jwks.json') return void res.writeHead(state.jwksStatus, { 'content-type': 'application/json' }).end(JSON.stringify(state.jwks));
    if (req.headers.authorization !== expected) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
    state.lastAuthorization = req.headers.authorization;
    if (path === '/revocations/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      state.streamConnects++;
      res.write(`event: ready\ndata: {"at":${Date.now()}}\n\n`);
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    if (path === '/introspect' && req.method === 'POST') {
      state.introspectionCalls++;
      let body = '';
      for await (const chunk of req) body += chunk;
      const token = new URLSearchParams(body).get('token') ?? '';
      const record = state.tokens.get(token);
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(record ?? { active: false }));
    }
    res.writeHead(404).end();
  }

  async function listen(): Promise<void> {
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
    port = (server.address() as AddressInfo).port;
    state.issuer = `http://127.0.0.1:${port}`;
  }
  await listen();
  return state;
}

/** An active introspection response for a user token, as the real AS shapes it. */
export function activeToken(issuer: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    active: true,
    scope: 'tickets:read',
    client_id: 'client-1',
    sub: 'usr_alice',
    aud: 'http://127.0.0.1:4001/mcp',
    iss: issuer,
    exp: now + 3600,
    iat: now,
    token_type: 'Bearer',
    org_id: 'org_acme',
    users_org_roles: ['Support'],
    users_org_permissions: ['tickets:view'],
    ...overrides,
  };
}
