/**
 * Issue 10: when the cross-process event bus was disconnected, events may
 * have been missed (another process revoked a token meanwhile). The bus
 * then calls its resync listeners; the server's in-process caches must drop
 * what they hold, and open revocation streams say `ready` again so resource
 * servers drop theirs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { tokenHash } from '@gatehouse-auth/core';
import { basic, createFixture, introspect, RESOURCE, token, type Fixture } from '../token/fixture.ts';
import { SseReader } from '../revocation-stream/sse-reader.ts';

let fx: Fixture;
const resyncListeners = new Set<() => void>();
const resync = (): void => {
  for (const listener of resyncListeners) listener();
};

beforeEach(async () => {
  fx = await createFixture();
  // The fixture's in-process bus never misses events; give it the hook a LISTEN/NOTIFY bus has.
  fx.ctx.events.onResync = (listener) => {
    resyncListeners.add(listener);
    return () => resyncListeners.delete(listener);
  };
});
afterEach(async () => {
  resyncListeners.clear();
  await fx.close();
});

describe('issue 10: resync after missed events', () => {
  it('RFC 7662: a token revoked while events were missed is inactive at /introspect once the bus resyncs (the cached answer is dropped)', async () => {
    const { body } = await token(fx, { grant_type: 'client_credentials', resource: RESOURCE, scope: 'crm:read' }, basic('agent'));
    expect(await introspect(fx, body.access_token!)).toMatchObject({ active: true });
    // Another process revokes it; its event never arrives here.
    await fx.store.tokens.revoke(tokenHash(body.access_token!), fx.clock.now());
    expect(await introspect(fx, body.access_token!)).toMatchObject({ active: true });
    resync();
    expect(await introspect(fx, body.access_token!)).toEqual({ active: false });
  });

  it('an open revocation stream sends event: ready again, which makes the resource-server SDK forget its cache', async () => {
    let server: ServerType | undefined;
    const base = await new Promise<string>((resolve) => {
      server = serve({ fetch: fx.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
    });
    const response = await fetch(`${base}/revocations/stream`, { headers: { authorization: basic('resource-server'), accept: 'text/event-stream' } });
    const reader = new SseReader(response.body!.getReader());
    try {
      expect((await reader.next())?.event).toBe('ready');
      resync();
      const again = await reader.next();
      expect(again?.event).toBe('ready');
      expect(JSON.parse(again?.data ?? 'null')).toMatchObject({ resync: true });
    } finally {
      await reader.cancel().catch(() => {});
      await new Promise<void>((resolve) => {
        server!.close(() => resolve());
        if ('closeAllConnections' in server!) server!.closeAllConnections();
      });
    }
  });
});
