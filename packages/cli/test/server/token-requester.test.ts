/**
 * POST /token counts a first-seen client ID metadata document against the
 * requester's network (the client-creation limit, issue 10 #9) by the
 * address the server worked out from the socket and its trusted proxies,
 * as every other endpoint does: not by an X-Forwarded-For entry the
 * client wrote itself, which would give it a fresh budget per request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startDocServer, validDocument, type DocServer } from '../../../authorization-server/test/cimd/doc-server.ts';
import { parseConfig } from '../../src/config/load.ts';
import { startGatehouse } from '../../src/server/start.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Three document hosts (one port each), so the per-host limit never decides: only the per-network one can. */
async function documentHosts(): Promise<DocServer[]> {
  const hosts = await Promise.all([startDocServer(), startDocServer(), startDocServer()]);
  for (const docs of hosts) {
    docs.handle((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(validDocument(`${docs.origin}${req.url}`))));
    closers.push(() => docs.close());
  }
  return hosts;
}

/** A token request naming a metadata document as its client: the client is resolved (and created) before the grant fails. */
const tokenRequest = (url: string, clientId: string, forwardedFor: string) =>
  fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: 'http://127.0.0.1/callback', code_verifier: 'v'.repeat(43), client_id: clientId }),
  });

describe('POST /token and the client-creation limit', () => {
  it('a client sending a different X-Forwarded-For each time still hits its per-network limit (no trusted proxy)', async () => {
    const hosts = await documentHosts();
    const gatehouse = await startGatehouse({ options: { registrationRateLimitPerMinute: 2, cimd: { allowLoopback: true } } });
    closers.push(() => gatehouse.close());
    const statuses: number[] = [];
    for (const [i, docs] of hosts.entries()) statuses.push((await tokenRequest(gatehouse.url, `${docs.origin}/client.json`, `203.0.${i}.1`)).status);
    expect(statuses.slice(0, 2)).not.toContain(429);
    expect(statuses[2]).toBe(429);
  });

  it('behind a trusted loopback proxy, each client network the proxy reports has its own limit', async () => {
    const hosts = await documentHosts();
    const gatehouse = await startGatehouse({
      config: parseConfig('server:\n  trust_proxy: [loopback]\n'),
      options: { registrationRateLimitPerMinute: 2, cimd: { allowLoopback: true } },
    });
    closers.push(() => gatehouse.close());
    const statuses: number[] = [];
    for (const [i, docs] of hosts.entries()) statuses.push((await tokenRequest(gatehouse.url, `${docs.origin}/client.json`, `203.0.${i}.1`)).status);
    expect(statuses).not.toContain(429);
  });
});
