/**
 * Issue 14 §4: an HTTP upstream sees the gateway's credentials, never the
 * user's token: a client_credentials token the gateway obtains, reuses while
 * valid, and renews at once when the upstream refuses it; a second refusal
 * is a JSON-RPC error, not the upstream's challenge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../authorization-server/test/support/listen.ts';
import { createGateway, type Gateway } from '../src/index.ts';
import { ORG, person, staticVerifier } from './support/static-verifier.ts';
import { upstreamCredentials } from '../src/upstream-credentials.ts';

let tokenEndpoint: Listening;
let upstream: Listening;
let gateway: Gateway;
const issued: string[] = [];
const tokenRequests: { authorization: string | null; form: string }[] = [];
/** What the upstream received, and which tokens it still accepts. */
const seen: (string | null)[] = [];
const accepted = new Set<string>();
const USER_TOKEN = 'user-token-0123456789abcdef';

beforeAll(async () => {
  tokenEndpoint = await listen(async (request) => {
    tokenRequests.push({ authorization: request.headers.get('authorization'), form: await request.text() });
    const token = `upstream-token-${issued.length + 1}`;
    issued.push(token);
    accepted.add(token);
    return Response.json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
  });
  upstream = await listen(async (request) => {
    const authorization = request.headers.get('authorization');
    seen.push(authorization);
    if (!authorization || !accepted.has(authorization.replace(/^Bearer /, ''))) return new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    const message = (await request.json()) as { id: number };
    return Response.json({ jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: 'ok' }] } });
  });
  gateway = createGateway({
    issuer: 'https://as.acme.test',
    publicUrl: 'https://gw.acme.test',
    verifier: staticVerifier({ [USER_TOKEN]: person('usr_alice', ['vendor:use']) }),
    upstreams: [
      {
        name: 'vendor',
        path: '/vendor/mcp',
        scopes: ['vendor:use'],
        organizations: [ORG],
        policy: { default: { scope: 'vendor:use' } },
        http: {
          url: `${upstream.origin}/mcp`,
          clientCredentials: { tokenEndpoint: `${tokenEndpoint.origin}/token`, clientId: 'acme-gateway', clientSecret: 'vendor-secret-0123456789', scope: 'tickets' },
        },
      },
    ],
  });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await tokenEndpoint?.close();
});

const call = () =>
  gateway.fetch(
    new Request('https://gw.acme.test/vendor/mcp', {
      method: 'POST',
      headers: { authorization: `Bearer ${USER_TOKEN}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'anything', arguments: {} } }),
    }),
  );

describe('client_credentials towards an HTTP upstream', () => {
  it("obtains a token with the gateway's client credentials and reuses it; the user's token never reaches the upstream", async () => {
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]!.authorization).toBe(`Basic ${Buffer.from('acme-gateway:vendor-secret-0123456789').toString('base64')}`);
    expect(new URLSearchParams(tokenRequests[0]!.form).get('grant_type')).toBe('client_credentials');
    expect(new URLSearchParams(tokenRequests[0]!.form).get('scope')).toBe('tickets');
    expect(seen).toEqual(['Bearer upstream-token-1', 'Bearer upstream-token-1']);
    expect(seen.join()).not.toContain(USER_TOKEN);
  });

  it('renews the token at once when the upstream refuses it', async () => {
    accepted.delete('upstream-token-1');
    seen.length = 0;
    const response = await call();
    expect(response.status).toBe(200);
    expect(seen).toEqual(['Bearer upstream-token-1', 'Bearer upstream-token-2']);
  });

  it("answers a second refusal with a JSON-RPC error (502, -32005), never the upstream's challenge", async () => {
    const refuseAll = accepted.clear.bind(accepted);
    refuseAll();
    const original = accepted.add.bind(accepted);
    accepted.add = () => accepted; // the upstream now refuses every token
    try {
      const response = await call();
      expect(response.status).toBe(502);
      expect(response.headers.get('www-authenticate')).toBeNull();
      expect((await response.json()).error).toEqual({ code: -32005, message: "The upstream MCP server refused the gateway's credentials" });
    } finally {
      accepted.add = original;
    }
  });
});

describe('credentials at hand', () => {
  it('are the static headers at once, a client_credentials token only once obtained and until the upstream refuses it', async () => {
    expect(upstreamCredentials({ headers: { 'x-api-key': 'k' } }).ready()).toEqual({ 'x-api-key': 'k' });
    const fakeFetch = (async () => Response.json({ access_token: 'cc-token', expires_in: 3600 })) as typeof fetch;
    const credentials = upstreamCredentials({ headers: { 'x-api-key': 'k' }, clientCredentials: { tokenEndpoint: 'https://as.test/token', clientId: 'c', clientSecret: 's' } }, fakeFetch);
    expect(credentials.ready()).toBeUndefined();
    expect(await credentials.headers()).toEqual({ 'x-api-key': 'k', authorization: 'Bearer cc-token' });
    expect(credentials.ready()).toEqual({ 'x-api-key': 'k', authorization: 'Bearer cc-token' });
    credentials.refused();
    expect(credentials.ready()).toBeUndefined();
  });
});
