/**
 * The introspection connection over TLS (form-post.ts uses node:tls for an
 * https endpoint): the answer is read and the connection reused. The test
 * certificate is self-signed for localhost (test/support/tls), so this file
 * trusts any certificate; verification itself is node:tls's default.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntrospectionVerifier } from '../src/verification/introspection-verifier.ts';

const RESOURCE = 'https://mcp.example.com/mcp';
const tls = new URL('./support/tls/', import.meta.url);
let server: Server;
let handshakes = 0;
const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

beforeAll(async () => {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  server = createServer({ key: readFileSync(new URL('localhost-key.pem', tls)), cert: readFileSync(new URL('localhost-cert.pem', tls)) }, (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const sub = new URLSearchParams(body).get('token');
      const claims = { active: true, aud: RESOURCE, sub, client_id: 'c', scope: 'tickets:read', exp: Math.floor(Date.now() / 1000) + 600, host: request.headers.host };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(claims));
    });
  });
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('RFC 7662 introspection over https', () => {
  it('verifies tokens over reused TLS connections, not a handshake per introspection', async () => {
    const issuer = `https://localhost:${(server.address() as AddressInfo).port}`;
    const verifier = new IntrospectionVerifier({ issuer, resource: RESOURCE, clientId: 'rs', clientSecret: 'rs-secret', revocationStream: false });
    try {
      const tokens = Array.from({ length: 10 }, (_, n) => `tls-${n}`);
      for (const token of tokens) expect(await verifier.verify(token)).toMatchObject({ ok: true, principal: { subject: token } });
      // undici's pool may open a second connection when the next request is sent in the same tick the
      // first answer ended (the first connection is not idle yet); never one per request.
      expect(handshakes).toBeLessThanOrEqual(2);
    } finally {
      await verifier.close();
    }
  });
});
