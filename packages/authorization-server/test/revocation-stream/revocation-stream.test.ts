import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { tokenHash } from '@gatehouse-auth/core';
import { disableUser, removeMember, revokeGrant } from '../../src/admin/revocation.ts';
import { ALICE, basic, createFixture, issueCode, ORG, redeem, type Fixture } from '../token/fixture.ts';
import { SseReader } from './sse-reader.ts';

let fx: Fixture;
let server: ServerType | undefined;
const readers: SseReader[] = [];

afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.cancel().catch(() => {});
  await new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
  server = undefined;
  await fx.close();
});

async function listen(options: Parameters<typeof createFixture>[0] = {}): Promise<string> {
  fx = await createFixture(options);
  return new Promise((resolve) => {
    server = serve({ fetch: fx.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
  });
}

async function subscribe(base: string, authorization = basic('resource-server')): Promise<{ response: Response; reader: SseReader }> {
  const response = await fetch(`${base}/revocations/stream`, { headers: { authorization, accept: 'text/event-stream' } });
  const reader = new SseReader(response.body!.getReader());
  readers.push(reader);
  return { response, reader };
}

const data = (frame: { data: string | undefined } | undefined) => JSON.parse(frame?.data ?? 'null') as Record<string, unknown>;

describe('Revocation fan-out over server-sent events', () => {
  it('answers 401 to a caller without client credentials or with a wrong secret', async () => {
    const base = await listen();
    expect((await fetch(`${base}/revocations/stream`)).status).toBe(401);
    const wrong = await fetch(`${base}/revocations/stream`, { headers: { authorization: basic('resource-server', 'nope') } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('opens with event: ready as text/event-stream', async () => {
    const base = await listen();
    const { response, reader } = await subscribe(base);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect((await reader.next())?.event).toBe('ready');
  });

  it('forwards a token revocation at /revoke with the token hashes', async () => {
    const base = await listen();
    const { reader } = await subscribe(base);
    await reader.next();
    const { body } = await redeem(fx, await issueCode(fx));
    const revoke = await fetch(`${base}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: body.access_token!, client_id: 'public-app' }),
    });
    expect(revoke.status).toBe(200);
    const frame = await reader.nextEvent();
    expect(frame?.event).toBe('revocation');
    expect(data(frame)).toEqual({ type: 'token.revoked', tokenHashes: [tokenHash(body.access_token!)], userId: ALICE, orgId: ORG, clientId: 'public-app', at: fx.clock.now() });
  });

  // The user is disabled while still a member of the served org: once removed, a user's events concern no org this RS serves (audience.ts).
  it('forwards grant revocation, user disabling and membership removal in order', async () => {
    const base = await listen();
    const { reader } = await subscribe(base);
    await reader.next();
    await redeem(fx, await issueCode(fx));
    const grant = (await fx.store.grants.listForUser(ALICE))[0]!;
    const operator = { kind: 'operator', id: 'test' } as const;
    await revokeGrant(fx.ctx, grant.id, operator);
    await disableUser(fx.ctx, ALICE, operator);
    await removeMember(fx.ctx, ORG, ALICE, operator);
    const types: string[] = [];
    for (let i = 0; i < 5; i += 1) types.push(data(await reader.nextEvent()).type as string);
    expect(types).toEqual(['grant.revoked', 'user.disabled', 'token.revoked', 'membership.removed', 'token.revoked']);
  });

  it('does not forward events that take no access away', async () => {
    const base = await listen();
    const { reader } = await subscribe(base);
    await reader.next();
    await redeem(fx, await issueCode(fx)); // token.issued: not forwarded
    await fx.ctx.events.publish({ type: 'role.updated', role: 'Admin' });
    expect(data(await reader.nextEvent())).toEqual({ type: 'role.updated', role: 'Admin', at: fx.clock.now() });
  });

  it('sends a ": ping" comment at the configured interval', async () => {
    const base = await listen({ revocationStreamPingMs: 50 });
    const { reader } = await subscribe(base);
    expect((await reader.next())?.event).toBe('ready');
    expect((await reader.next())?.comment).toBe('ping');
  });

  it('unsubscribes from the event bus when the subscriber disconnects', async () => {
    const base = await listen();
    // Authenticate once first so the server's long-lived caches have made their own subscriptions.
    await fetch(`${base}/introspect`, { method: 'POST', headers: { authorization: basic('resource-server'), 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x' });
    let active = 0;
    const original = fx.ctx.events.subscribe.bind(fx.ctx.events);
    fx.ctx.events.subscribe = (listener) => {
      active += 1;
      const unsubscribe = original(listener);
      return () => {
        active -= 1;
        return unsubscribe();
      };
    };
    const { reader } = await subscribe(base);
    await reader.next();
    expect(active).toBe(1);
    await reader.cancel();
    for (let i = 0; i < 100 && active > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(active).toBe(0);
  });
});
