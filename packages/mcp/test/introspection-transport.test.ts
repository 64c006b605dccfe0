/**
 * The introspection request without a caller's `fetch` (a keep-alive
 * connection of the SDK's own, form-post.ts): what the authorization server
 * receives, connection reuse, the ways an HTTP/1.1 answer may be framed, and
 * failing closed when the endpoint misbehaves.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { IntrospectionVerifier } from '../src/verification/introspection-verifier.ts';
import { MAX_ANSWER_BYTES } from '../src/verification/form-post.ts';
import { VerifierUnavailableError } from '../src/verification/types.ts';

const RESOURCE = 'https://mcp.example.com/mcp';
let server: Server | undefined;
let verifier: IntrospectionVerifier | undefined;
afterEach(async () => {
  await verifier?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  verifier = undefined;
});

async function authorizationServer(answer: (request: IncomingMessage, body: string, response: ServerResponse) => void) {
  const sockets = new Set<unknown>();
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  server = createServer((request, response) => {
    sockets.add(request.socket);
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      answer(request, body, response);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  verifier = new IntrospectionVerifier({ issuer, resource: RESOURCE, clientId: 'rs', clientSecret: 'rs-secret', revocationStream: false, timeoutMs: 300 });
  return { issuer, received, sockets };
}

const active = (issuer: string, sub: string) => ({
  active: true,
  iss: issuer,
  aud: RESOURCE,
  sub,
  client_id: 'c',
  scope: 'tickets:read',
  exp: Math.floor(Date.now() / 1000) + 600,
  users_org_roles: ['Support'],
});

describe('RFC 7662 introspection over a keep-alive connection (no fetch given)', () => {
  it('POSTs the token as a form with client_secret_basic and reuses kept-alive connections for successive introspections', async () => {
    const { issuer, received, sockets } = await authorizationServer((_request, body, response) => {
      const sub = new URLSearchParams(body).get('token')!;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(active(issuer, sub)));
    });
    const tokens = Array.from({ length: 10 }, (_, n) => `tok-${n}`);
    for (const token of tokens) {
      const verification = await verifier!.verify(token);
      expect(verification).toMatchObject({ ok: true, principal: { subject: token } });
    }
    expect(received.map((r) => Object.fromEntries(new URLSearchParams(r.body)))).toEqual(tokens.map((token) => ({ token, token_type_hint: 'access_token' })));
    expect(received[0]!.headers).toMatchObject({ authorization: `Basic ${Buffer.from('rs:rs-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' });
    // undici's pool may open a second connection when the next request is sent in the same tick the
    // first answer ended (the first connection is not idle yet); never one per request.
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it("names the endpoint in Host and the form body's byte length in Content-Length, keeping the connection alive", async () => {
    const { issuer, received } = await authorizationServer((_request, body, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(active(issuer, new URLSearchParams(body).get('token')!)));
    });
    // A token with characters the form percent-encodes: the length sent is the encoded body's.
    const token = 'tok+/=é';
    expect(await verifier!.verify(token)).toMatchObject({ ok: true, principal: { subject: token } });
    const { headers, body } = received[0]!;
    expect(headers.host).toBe(new URL(issuer).host);
    expect(headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(headers.accept).toBe('application/json');
    expect(headers.connection).toBe('keep-alive');
  });

  it('sends to the configured endpoint exactly: its path and query string, on every request', async () => {
    const paths: string[] = [];
    const { issuer } = await authorizationServer((request, body, response) => {
      paths.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(active(issuer, new URLSearchParams(body).get('token')!)));
    });
    await verifier!.close();
    verifier = new IntrospectionVerifier({ issuer, endpoint: `${issuer}/oauth/introspect?tenant=acme`, resource: RESOURCE, clientId: 'rs', clientSecret: 'rs-secret', revocationStream: false });
    for (const token of ['tok-a', 'tok-b']) expect(await verifier.verify(token)).toMatchObject({ ok: true });
    expect(paths).toEqual(['/oauth/introspect?tenant=acme', '/oauth/introspect?tenant=acme']);
  });

  it('fails closed (VerifierUnavailableError) when the endpoint does not answer within the timeout', async () => {
    await authorizationServer(() => {});
    await expect(verifier!.verify('slow')).rejects.toBeInstanceOf(VerifierUnavailableError);
  });

  it('fails closed when the answer is not 200, not a JSON object, or larger than the cap', async () => {
    const answers = [
      (r: ServerResponse) => r.writeHead(401).end('{"error":"invalid_client"}'),
      (r: ServerResponse) => r.writeHead(200, { 'content-type': 'application/json' }).end('[1,2]'),
      (r: ServerResponse) => r.writeHead(200, { 'content-type': 'application/json' }).end(`{"active":true,"pad":"${'x'.repeat(MAX_ANSWER_BYTES)}"}`),
    ];
    let n = 0;
    await authorizationServer((_request, _body, response) => answers[n++]!(response));
    for (const token of ['one', 'two', 'three']) await expect(verifier!.verify(token)).rejects.toBeInstanceOf(VerifierUnavailableError);
  });

  it('reads answers framed by Content-Length, by chunks, and by the end of the connection, and skips an interim 103', async () => {
    const framings = [
      (r: ServerResponse, json: string) => r.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json),
      (r: ServerResponse, json: string) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        r.write(json.slice(0, 10));
        setTimeout(() => r.end(json.slice(10)), 5);
      },
      (r: ServerResponse, json: string) => {
        r.writeEarlyHints({ link: '</style.css>; rel=preload' });
        r.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
      },
      (r: ServerResponse, json: string) => {
        // HTTP/1.0-style: no length, no chunks; the body ends when the connection does.
        r.socket!.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${json}`);
      },
    ];
    let n = 0;
    const { issuer } = await authorizationServer((_request, body, response) => framings[n++]!(response, JSON.stringify(active(issuer, new URLSearchParams(body).get('token')!))));
    for (const token of ['by-length', 'by-chunks', 'after-103', 'until-close']) expect(await verifier!.verify(token)).toMatchObject({ ok: true, principal: { subject: token } });
  });

  it('opens a new connection after the endpoint answers Connection: close or closes an idle one', async () => {
    const { issuer, sockets } = await authorizationServer((_request, body, response) => {
      const json = JSON.stringify(active(issuer, new URLSearchParams(body).get('token')!));
      response.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(json);
    });
    expect(await verifier!.verify('first')).toMatchObject({ ok: true });
    expect(await verifier!.verify('second')).toMatchObject({ ok: true });
    expect(sockets.size).toBe(2);
    // Now the endpoint keeps connections alive, until it closes the idle one itself.
    server!.removeAllListeners('request');
    server!.on('request', (request: IncomingMessage, response: ServerResponse) => {
      sockets.add(request.socket);
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(active(issuer, new URLSearchParams(body).get('token')!))));
    });
    expect(await verifier!.verify('third')).toMatchObject({ ok: true });
    for (const socket of sockets) (socket as IncomingMessage['socket']).destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await verifier!.verify('fourth')).toMatchObject({ ok: true });
    expect(sockets.size).toBe(4);
  });

  it('fails closed when the answer gives two different Content-Lengths (request smuggling shape)', async () => {
    await authorizationServer((request) => request.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 3\r\n\r\n{}'));
    await expect(verifier!.verify('two-lengths')).rejects.toBeInstanceOf(VerifierUnavailableError);
  });

  it('fails closed when the answer is not HTTP at all', async () => {
    await authorizationServer((request) => request.socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    await expect(verifier!.verify('garbage')).rejects.toBeInstanceOf(VerifierUnavailableError);
  });
});
