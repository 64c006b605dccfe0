/**
 * The authorization server's approval endpoints in process (issue 15 item
 * 4; the browser flow is in packages/policy/test/approval). Opening and
 * consuming are for registered resource servers only, about active tokens
 * of their own resources; errors are OAuth JSON. Approvals last at most
 * five minutes on the server's own clock. Pending ones go to the webhook
 * without their arguments.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256 } from '@gatehouse-auth/core';
import { clientRecord } from '@gatehouse-auth/store/testing';
import { mayDecide } from '../../src/approvals/decide.ts';
import { startSession } from '../../src/session/current-session.ts';
import { basic, createFixture, issueCode, OTHER_RESOURCE, redeem, post, SECRET, type Fixture } from '../token/fixture.ts';

let fx: Fixture;
afterEach(() => fx.close());

const HASH = 'ab'.repeat(32);

async function accessToken(): Promise<string> {
  const { body } = await redeem(fx, await issueCode(fx));
  expect(body.access_token).toBeDefined();
  return body.access_token!;
}

const open = (token: string, extra: Record<string, string> = {}, caller = 'resource-server') =>
  post(fx, '/approvals', { token, tool: 'export_revenue', arguments: '{"quarter":"Q3"}', arguments_sha256: HASH, approver_roles: 'Management', ...extra }, basic(caller));

const consume = (token: string, extra: Record<string, string> = {}) => post(fx, '/approvals/consume', { token, tool: 'export_revenue', arguments_sha256: HASH, ...extra }, basic('resource-server'));

describe('POST /approvals (a resource server opens an approval)', () => {
  it('opens a pending approval bound to the token, lasting five minutes, and says where the person decides', async () => {
    fx = await createFixture();
    const token = await accessToken();
    const response = await open(token);
    expect(response.status).toBe(201);
    const body = (await response.json()) as { approval_id: string; approval_url: string; expires_at: number };
    expect(body.approval_url).toBe(`https://as.example.com/approvals/${body.approval_id}`);
    expect(body.expires_at).toBe(Math.floor(fx.clock.now() / 1000) + 300);
    const stored = await fx.store.approvals.get(body.approval_id);
    expect(stored).toMatchObject({
      status: 'pending',
      tool: 'export_revenue',
      arguments: { quarter: 'Q3' },
      argumentsSha256: HASH,
      approverRoles: ['Management'],
      clientId: 'public-app',
      subject: 'usr_alice',
    });
    expect(stored?.grantId).toEqual(expect.any(String));
    expect(fx.events.map((event) => event.type)).toContain('approval.requested');
  });

  it('clears approvals that expired more than a day ago when a new one is opened', async () => {
    fx = await createFixture();
    const token = await accessToken();
    const { approval_id: old } = (await (await open(token)).json()) as { approval_id: string };
    fx.clock.advance(25 * 3600_000);
    const fresh = await accessToken();
    await open(fresh);
    expect(await fx.store.approvals.get(old)).toBeUndefined();
  });

  it('never lets an approval last longer than five minutes, whatever ttl the resource server asks for', async () => {
    fx = await createFixture();
    const body = (await (await open(await accessToken(), { ttl: '86400' })).json()) as { expires_at: number };
    expect(body.expires_at).toBe(Math.floor(fx.clock.now() / 1000) + 300);
  });

  it('refuses a client that is not a resource server with 401 invalid_client', async () => {
    fx = await createFixture();
    const response = await open(await accessToken(), {}, 'web-app');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses an unknown token with 401 invalid_token and stores nothing', async () => {
    fx = await createFixture();
    const response = await open('not-a-token');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
    expect(fx.events.map((event) => event.type)).not.toContain('approval.requested');
  });

  it("refuses a token of a resource the caller does not serve (another resource server's token)", async () => {
    fx = await createFixture();
    const now = fx.clock.now();
    await fx.store.clients.create(
      clientRecord({
        id: 'other-rs',
        name: 'Other RS',
        redirectUris: [],
        grantTypes: [],
        tokenEndpointAuthMethod: 'client_secret_basic',
        secretHash: sha256(SECRET),
        resourceServerFor: [OTHER_RESOURCE],
        createdAt: now,
        updatedAt: now,
      }),
    );
    const response = await open(await accessToken(), {}, 'other-rs');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('refuses an argument hash that is not 64 hex digits, and arguments that are not a JSON object, with 400 invalid_request', async () => {
    fx = await createFixture();
    const token = await accessToken();
    const bad: Record<string, string>[] = [{ arguments_sha256: 'xyz' }, { arguments: '[1,2]' }, { arguments: '{not json' }];
    for (const extra of bad) {
      const response = await open(token, extra);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    }
  });
});

describe('POST /approvals/consume (the resource server spends an approval)', () => {
  it('refuses a pending approval, consumes an approved one once, then refuses the replay', async () => {
    fx = await createFixture();
    const token = await accessToken();
    const { approval_id: id } = (await (await open(token)).json()) as { approval_id: string };
    expect(await (await consume(token, { approval_id: id })).json()).toEqual({ consumed: false, reason: 'not_approved' });
    await fx.store.approvals.decide(id, 'approved', 'usr_bob', fx.clock.now());
    expect(await (await consume(token, { approval_id: id })).json()).toEqual({ consumed: true, approval_id: id });
    expect(await (await consume(token, { approval_id: id })).json()).toEqual({ consumed: false, reason: 'already_consumed' });
    expect(fx.events.filter((event) => event.type === 'approval.consumed')).toHaveLength(1);
    expect(fx.events.filter((event) => event.type === 'approval.refused').map((event) => 'reason' in event && event.reason)).toEqual(['not_approved', 'already_consumed']);
  });

  it("refuses an approval past five minutes on the server's clock", async () => {
    fx = await createFixture();
    const token = await accessToken();
    const { approval_id: id } = (await (await open(token)).json()) as { approval_id: string };
    await fx.store.approvals.decide(id, 'approved', 'usr_alice', fx.clock.now());
    fx.clock.advance(300_000);
    expect(await (await consume(token, { approval_id: id })).json()).toEqual({ consumed: false, reason: 'expired' });
  });

  it('refuses an approval for other arguments (another hash) and keeps it for the call it is bound to', async () => {
    fx = await createFixture();
    const token = await accessToken();
    const { approval_id: id } = (await (await open(token)).json()) as { approval_id: string };
    await fx.store.approvals.decide(id, 'approved', 'usr_alice', fx.clock.now());
    expect(await (await consume(token, { approval_id: id, arguments_sha256: 'cd'.repeat(32) })).json()).toEqual({ consumed: false, reason: 'mismatch' });
    expect(await (await consume(token, { approval_id: id })).json()).toEqual({ consumed: true, approval_id: id });
  });

  it("refuses another grant's token: an approval of Alice's grant is not Bob's", async () => {
    fx = await createFixture();
    const alice = await accessToken();
    const { approval_id: id } = (await (await open(alice)).json()) as { approval_id: string };
    await fx.store.approvals.decide(id, 'approved', 'usr_alice', fx.clock.now());
    const { body } = await redeem(fx, await issueCode(fx, { userId: 'usr_bob' }));
    expect(await (await consume(body.access_token!, { approval_id: id })).json()).toEqual({ consumed: false, reason: 'mismatch' });
  });
});

describe('the approval page', () => {
  it('asks a browser without a session to sign in (401 page), and answers 404 for an unknown approval', async () => {
    fx = await createFixture();
    const { approval_id: id } = (await (await open(await accessToken())).json()) as { approval_id: string };
    const page = await fx.app.request(`/approvals/${id}`);
    expect(page.status).toBe(401);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('/login');
    expect((await fx.app.request('/approvals/no-such-approval')).status).toBe(404);
  });

  it('refuses a decision without the CSRF token (403) and the approval stays pending', async () => {
    fx = await createFixture();
    const { approval_id: id } = (await (await open(await accessToken())).json()) as { approval_id: string };
    const response = await fx.app.request(`/approvals/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'decision=approve',
    });
    expect(response.status).toBe(403);
    expect((await fx.store.approvals.get(id))?.status).toBe('pending');
  });
});

describe('approval webhook', () => {
  it('POSTs each pending approval as JSON to the configured URL, without the arguments', async () => {
    const received: { headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];
    const server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body: JSON.parse(text) as Record<string, unknown> });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      fx = await createFixture({ approvals: { webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` } });
      const { approval_id: id, approval_url: url } = (await (await open(await accessToken())).json()) as { approval_id: string; approval_url: string };
      await expect.poll(() => received.length).toBe(1);
      expect(received[0]!.headers['content-type']).toBe('application/json');
      expect(received[0]!.body).toMatchObject({
        type: 'approval.requested',
        approval_id: id,
        approval_url: url,
        tool: 'export_revenue',
        client_id: 'public-app',
        approver_roles: ['Management'],
        arguments_sha256: HASH,
      });
      expect(JSON.stringify(received[0]!.body)).not.toContain('Q3');
    } finally {
      server.close();
    }
  });
});

describe('consuming by binding (a client that could not echo the state)', () => {
  it('consumes the approved approval bound to exactly this call, once; a lookup that finds none is not recorded as a refusal', async () => {
    fx = await createFixture();
    const token = await accessToken();
    expect(await (await consume(token)).json()).toEqual({ consumed: false, reason: 'unknown' });
    expect(fx.events.map((event) => event.type)).not.toContain('approval.refused');
    const { approval_id: id } = (await (await open(token)).json()) as { approval_id: string };
    await fx.store.approvals.decide(id, 'approved', 'usr_alice', fx.clock.now());
    expect(await (await consume(token)).json()).toEqual({ consumed: true, approval_id: id });
    expect(await (await consume(token)).json()).toEqual({ consumed: false, reason: 'unknown' });
  });
});

describe('who may decide', () => {
  it("the token's own person and holders of an approver role; with self_approval=false (four eyes) only another person holding the role", async () => {
    fx = await createFixture();
    const token = await accessToken();
    const alice = (await fx.store.users.get('usr_alice'))!;
    const bob = (await fx.store.users.get('usr_bob'))!;
    const opened = async (extra: Record<string, string>) => (await fx.store.approvals.get(((await (await open(token, extra)).json()) as { approval_id: string }).approval_id))!;
    // Alice (the token's person) holds Admin; Bob holds Member.
    const usual = await opened({ approver_roles: 'Member' });
    expect(await mayDecide(fx.ctx, alice, usual)).toBe(true);
    expect(await mayDecide(fx.ctx, bob, usual)).toBe(true);
    const noRole = await opened({ approver_roles: 'Management' });
    expect(await mayDecide(fx.ctx, bob, noRole)).toBe(false);
    const fourEyes = await opened({ approver_roles: 'Admin Member', self_approval: 'false' });
    expect(fourEyes.selfApproval).toBe(false);
    expect(await mayDecide(fx.ctx, alice, fourEyes)).toBe(false);
    expect(await mayDecide(fx.ctx, bob, fourEyes)).toBe(true);
  });
});

describe('the approval page shows what the agent sent, as text', () => {
  it('escapes a tool name and arguments carrying markup (no script reaches the approver)', async () => {
    fx = await createFixture();
    const token = await accessToken();
    const { approval_id: id } = (await (await open(token, { tool: '<img src=x onerror=alert(1)>', arguments: '{"note":"<script>alert(1)</script>"}' })).json()) as { approval_id: string };
    const alice = (await fx.store.users.get('usr_alice'))!;
    const { setCookie } = await startSession(fx.ctx, alice);
    const page = await fx.app.request(`/approvals/${id}`, { headers: { cookie: setCookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Approve this call');
  });
});
