/**
 * Issue 10 #9, as the attacker ran it: client ID metadata documents must
 * not bypass the registration rate limit. Sixty document URLs differing
 * only in a query string used to create sixty clients in seven seconds;
 * now a query is refused outright (one document, one URL), and every
 * first-seen document counts against the same per-network limit as a
 * registration, and against a per-host limit of its own.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../registration/harness.ts';
import { startDocServer, validDocument, type DocServer } from '../cimd/doc-server.ts';

let harness: Harness;
let docs: DocServer;

beforeEach(async () => {
  docs = await startDocServer();
  // Every path answers with a valid document naming exactly the URL it was fetched from.
  docs.handle((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(validDocument(`${docs.origin}${req.url}`)));
  });
});
afterEach(async () => {
  await docs.close();
  await harness.close();
});

function authorize(clientId: string, from: string): Promise<Response> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: 'http://127.0.0.1/callback',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 's',
  });
  return Promise.resolve(harness.app.request(`https://as.example/authorize?${query.toString()}`, { headers: { 'x-forwarded-for': from } }));
}

const documentClients = async (): Promise<number> => (await harness.store.clients.list()).filter((client) => client.kind === 'metadata_document').length;

describe('Client ID metadata documents count against the registration rate limit (issue 10)', () => {
  it('60 document URLs differing only in their query string do not create 60 clients', async () => {
    harness = await startHarness({ cimd: { allowLoopback: true } });
    for (let i = 0; i < 60; i++) await authorize(`${docs.origin}/client.json?n=${i}`, '203.0.113.7');
    expect(await documentClients()).toBe(0);
    expect(docs.requests).toEqual([]);
  });

  it('60 distinct documents from one network create no more clients than the registration limit allows, then 429', async () => {
    harness = await startHarness({ cimd: { allowLoopback: true } });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await authorize(`${docs.origin}/client-${i}.json`, `203.0.113.${i % 250}`)).status);
    expect(await documentClients()).toBe(30);
    expect(statuses.slice(30).every((status) => status === 429)).toBe(true);
  });

  it('shares one budget with dynamic registration from the same network', async () => {
    harness = await startHarness({ cimd: { allowLoopback: true }, registrationRateLimitPerMinute: 2 });
    const registration = JSON.stringify({ client_name: 'x', redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none' });
    for (let i = 0; i < 2; i++) {
      const registered = await harness.app.request('https://as.example/register', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.7' },
        body: registration,
      });
      expect(registered.status).toBe(201);
    }
    expect((await authorize(`${docs.origin}/client.json`, '203.0.113.8')).status).toBe(429);
    expect(await documentClients()).toBe(0);
  });

  it('limits new documents per host whatever network relays them, and never counts a document already known', async () => {
    harness = await startHarness({ cimd: { allowLoopback: true }, registrationRateLimitPerMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await authorize(`${docs.origin}/client-${i}.json`, `198.51.${i}.1`)).status);
    expect(statuses).toEqual([302, 302, 302, 429, 429]);
    expect(await documentClients()).toBe(3);
    // A known document (cached) is no new client: it is never refused by the limit.
    expect((await authorize(`${docs.origin}/client-0.json`, '192.0.2.1')).status).toBe(302);
  });
});
