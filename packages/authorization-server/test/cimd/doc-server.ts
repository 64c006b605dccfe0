/**
 * A local web server that hosts client metadata documents for the CIMD
 * tests, on a loopback address at a random port. Each test sets how it
 * answers; the server counts TCP connections and requests, so a test can
 * assert that a rejected URL was never fetched at all.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type DocHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface DocServer {
  origin: string;
  port: number;
  connections: number;
  requests: string[];
  handle(handler: DocHandler): void;
  /** Serves `body` as JSON at every path with the given extra headers. */
  serveJson(body: unknown, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export async function startDocServer(host = '127.0.0.1'): Promise<DocServer> {
  let handler: DocHandler = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  server.on('connection', () => {
    state.connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const state: DocServer = {
    origin: `http://${host}:${port}`,
    port,
    connections: 0,
    requests: [],
    handle(next) {
      handler = next;
    },
    serveJson(body, headers = {}) {
      handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}

/** A valid document for `clientId`. */
export const validDocument = (clientId: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  client_id: clientId,
  client_name: 'Example MCP Client',
  client_uri: 'https://client.example',
  redirect_uris: ['http://127.0.0.1/callback', 'https://client.example/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  ...extra,
});
