import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OAuthError } from '@gatehouse-auth/core';
import { resolveClient } from '../../src/clients/index.ts';
import { startHarness, testClient, type Harness } from '../registration/harness.ts';
import { startDocServer, validDocument, type DocServer } from './doc-server.ts';

let harness: Harness;
let docs: DocServer;
let clientId: string;

beforeEach(async () => {
  harness = await startHarness({ cimd: { allowLoopback: true } });
  docs = await startDocServer();
  clientId = `${docs.origin}/oauth/client.json`;
});
afterEach(async () => {
  await docs.close();
  await harness.close();
});

async function rejection(id = clientId): Promise<OAuthError> {
  const error = await resolveClient(harness.ctx, id).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

async function expectRejected(id = clientId): Promise<OAuthError> {
  const error = await rejection(id);
  expect(error.code).toBe('invalid_client');
  // The redirect URIs of a client we could not verify must never receive an error redirect.
  expect(error.allowRedirect).toBe(false);
  return error;
}

describe('CIMD resolution of a valid document', () => {
  it('turns the document into a public metadata_document client', async () => {
    docs.serveJson(validDocument(clientId));
    const client = await resolveClient(harness.ctx, clientId);
    expect(client).toMatchObject({
      id: clientId,
      kind: 'metadata_document',
      name: 'Example MCP Client',
      redirectUris: ['http://127.0.0.1/callback', 'https://client.example/callback'],
      tokenEndpointAuthMethod: 'none',
      secretHash: null,
      status: 'active',
    });
    expect(docs.requests).toEqual(['GET /oauth/client.json']);
    expect(harness.events).toContainEqual(expect.objectContaining({ type: 'client.registered', clientId }));
  });

  it('accepts a document that omits token_endpoint_auth_method (public by default)', async () => {
    const { token_endpoint_auth_method: _omitted, ...doc } = validDocument(clientId);
    docs.serveJson(doc);
    expect((await resolveClient(harness.ctx, clientId)).tokenEndpointAuthMethod).toBe('none');
  });
});

describe('CIMD caching (draft §5.2; oidc-provider bounds 30 s to 24 h)', () => {
  it('serves the stored client without refetching until max-age passes, then refetches', async () => {
    docs.serveJson(validDocument(clientId), { 'cache-control': 'public, max-age=600' });
    await resolveClient(harness.ctx, clientId);
    expect((await harness.store.clients.get(clientId))?.metadataExpiresAt).toBe(harness.clock.now() + 600_000);
    harness.clock.advance(599_000);
    await resolveClient(harness.ctx, clientId);
    expect(docs.requests).toHaveLength(1);
    docs.serveJson(validDocument(clientId, { client_name: 'Renamed' }), { 'cache-control': 'max-age=600' });
    harness.clock.advance(2_000);
    expect((await resolveClient(harness.ctx, clientId)).name).toBe('Renamed');
    expect(docs.requests).toHaveLength(2);
  });

  it.each([
    ['a max-age under 30 s', 'max-age=5', 30],
    ['a max-age over 24 h', 'max-age=9999999', 86_400],
    ['no-store', 'no-store', 30],
    ['no-cache', 'no-cache, max-age=600', 30],
    ['a malformed max-age', 'max-age=abc', 30],
  ])('clamps %s to the bounds', async (_name, header, expected) => {
    docs.serveJson(validDocument(clientId), { 'cache-control': header });
    await resolveClient(harness.ctx, clientId);
    expect((await harness.store.clients.get(clientId))?.metadataExpiresAt).toBe(harness.clock.now() + expected * 1000);
  });

  it('coalesces concurrent resolutions of one URL into a single fetch', async () => {
    const body = JSON.stringify(validDocument(clientId));
    docs.handle((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(body), 150);
    });
    const clients = await Promise.all(Array.from({ length: 8 }, () => resolveClient(harness.ctx, clientId)));
    expect(new Set(clients.map((client) => client.id))).toEqual(new Set([clientId]));
    expect(docs.requests).toHaveLength(1);
  });

  it('never caches an error: a failed fetch is retried on the next request', async () => {
    docs.handle((_req, res) => res.writeHead(500).end());
    await expectRejected();
    expect(await harness.store.clients.get(clientId)).toBeUndefined();
    docs.serveJson(validDocument(clientId));
    expect((await resolveClient(harness.ctx, clientId)).id).toBe(clientId);
    expect(docs.requests).toHaveLength(2);
  });

  it('never caches an invalid document', async () => {
    docs.serveJson(validDocument(`${clientId}x`));
    await expectRejected();
    await expectRejected();
    expect(docs.requests).toHaveLength(2);
    expect(await harness.store.clients.get(clientId)).toBeUndefined();
  });

  it('keeps a disabled metadata-document client disabled without fetching', async () => {
    docs.serveJson(validDocument(clientId));
    await resolveClient(harness.ctx, clientId);
    await harness.store.clients.setStatus(clientId, 'disabled', harness.clock.now());
    harness.clock.advance(10 * 86_400_000);
    await expectRejected();
    expect(docs.requests).toHaveLength(1);
  });

  it('rejects an expired client whose refetch fails (no stale fallback)', async () => {
    docs.serveJson(validDocument(clientId));
    await resolveClient(harness.ctx, clientId);
    harness.clock.advance(31_000);
    docs.handle((_req, res) => res.writeHead(404).end());
    await expectRejected();
  });
});

describe('CIMD redirects and status (draft §5: the AS MUST NOT follow redirects)', () => {
  it.each([301, 302, 303, 307, 308])('rejects a %i redirect and never requests its target', async (status) => {
    docs.handle((req, res) => {
      if (req.url === '/oauth/client.json') res.writeHead(status, { location: '/elsewhere.json' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(validDocument(clientId)));
    });
    await expectRejected();
    expect(docs.requests).toEqual(['GET /oauth/client.json']);
  });

  it.each([201, 203, 204, 400, 401, 403, 404, 410, 500, 503])('rejects status %i', async (status) => {
    docs.handle((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status === 204 ? undefined : JSON.stringify(validDocument(clientId)));
    });
    await expectRejected();
  });
});

describe('CIMD size cap (draft §8.7: 5 KB)', () => {
  it('aborts on a Content-Length over the cap without reading the body', async () => {
    const padded = JSON.stringify(validDocument(clientId, { padding: 'x'.repeat(6000) }));
    docs.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(padded)) }).end(padded));
    const error = await expectRejected();
    expect(error.detail).toMatch(/Content-Length/);
  });

  it('aborts a chunked body (no Content-Length) once it passes the cap', async () => {
    const padded = JSON.stringify(validDocument(clientId, { padding: 'x'.repeat(20_000) }));
    docs.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < padded.length; i += 1000) res.write(padded.slice(i, i + 1000));
      res.end();
    });
    const error = await expectRejected();
    expect(error.detail).toMatch(/exceeds/);
  });

  it('accepts a document just under the cap', async () => {
    const base = JSON.stringify(validDocument(clientId, { padding: '' }));
    docs.serveJson(validDocument(clientId, { padding: 'x'.repeat(5120 - base.length) }));
    expect((await resolveClient(harness.ctx, clientId)).id).toBe(clientId);
  });
});

describe('CIMD time limit (oidc-provider: 2.5 s)', () => {
  it('aborts a server that never answers', async () => {
    harness.ctx.options.cimd.timeoutMs = 300;
    docs.handle(() => {});
    const error = await expectRejected();
    expect(error.detail).toMatch(/timed out/);
  });

  it('aborts a server that sends headers and then trickles the body', async () => {
    harness.ctx.options.cimd.timeoutMs = 300;
    docs.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"client_id":');
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    await expectRejected();
  });
});

describe('CIMD document content (draft §4, §8)', () => {
  it.each([
    ['a client_id with a trailing slash', (id: string) => validDocument(`${id}/`)],
    ['a client_id in another case', (id: string) => validDocument(id.toUpperCase())],
    ['a client_id of another URL', () => validDocument('https://evil.example/client.json')],
    ['no client_id', (id: string) => ({ ...validDocument(id), client_id: undefined })],
    ['a client_secret', (id: string) => validDocument(id, { client_secret: 's3cret' })],
    ['a client_secret_expires_at', (id: string) => validDocument(id, { client_secret_expires_at: 0 })],
    ['client_secret_basic', (id: string) => validDocument(id, { token_endpoint_auth_method: 'client_secret_basic' })],
    ['client_secret_post', (id: string) => validDocument(id, { token_endpoint_auth_method: 'client_secret_post' })],
    ['client_secret_jwt', (id: string) => validDocument(id, { token_endpoint_auth_method: 'client_secret_jwt' })],
    ['private_key_jwt (not supported)', (id: string) => validDocument(id, { token_endpoint_auth_method: 'private_key_jwt' })],
    ['a private JWK in jwks', (id: string) => validDocument(id, { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'private' }] } })],
    ['no client_name', (id: string) => ({ ...validDocument(id), client_name: undefined })],
    ['no redirect_uris', (id: string) => ({ ...validDocument(id), redirect_uris: undefined })],
    ['empty redirect_uris', (id: string) => validDocument(id, { redirect_uris: [] })],
    ['a javascript: redirect URI', (id: string) => validDocument(id, { redirect_uris: ['javascript:alert(1)'] })],
    ['an http redirect URI on a public host', (id: string) => validDocument(id, { redirect_uris: ['http://client.example/cb'] })],
    ['a non-https logo_uri', (id: string) => validDocument(id, { logo_uri: 'http://client.example/logo.png' })],
    ['the implicit response type', (id: string) => validDocument(id, { response_types: ['token'] })],
    ['grant types without authorization_code', (id: string) => validDocument(id, { grant_types: ['refresh_token'] })],
  ])('rejects a document with %s', async (_name, make) => {
    docs.serveJson(make(clientId));
    await expectRejected();
    expect(await harness.store.clients.get(clientId)).toBeUndefined();
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
  ])('rejects a body that is %s', async (_name, body) => {
    docs.handle((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await expectRejected();
  });

  it('accepts a public JWK in jwks', async () => {
    docs.serveJson(validDocument(clientId, { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] } }));
    expect((await resolveClient(harness.ctx, clientId)).id).toBe(clientId);
  });
});

describe('CIMD switched off and unknown clients', () => {
  it('treats a URL client_id as unknown when CIMD is disabled, without fetching', async () => {
    harness.ctx.options.cimd.enabled = false;
    docs.serveJson(validDocument(clientId));
    await expectRejected();
    expect(docs.connections).toBe(0);
  });

  it('answers invalid_client without redirect for an unknown non-URL client_id', async () => {
    await expectRejected('no-such-client');
    await expectRejected('');
  });

  it('serves a pre-registered client whose id happens to be a URL from the store, without fetching', async () => {
    await harness.store.clients.create(testClient(harness.clock, { id: clientId }));
    expect((await resolveClient(harness.ctx, clientId)).kind).toBe('preregistered');
    expect(docs.connections).toBe(0);
  });
});
