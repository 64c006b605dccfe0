import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@gatehouse-auth/core';
import { IntrospectionVerifier } from '../src/index.ts';
import { RESOURCE } from './support/fixture.ts';
import { activeToken, INTROSPECTION_CLIENT, startFakeAuthorizationServer, type FakeAuthorizationServer } from './support/fake-authorization-server.ts';

let as: FakeAuthorizationServer;
let verifier: IntrospectionVerifier | undefined;
beforeEach(async () => {
  as = await startFakeAuthorizationServer();
});
afterEach(async () => {
  await verifier?.close();
  await as.stop();
});

describe('Introspection cache metrics hook (issue 11, item 4)', () => {
  it('reports a miss for the first verification, coalesced for a concurrent one, hit for a cached one, matching the introspections made', async () => {
    const clock = new ManualClock();
    as.tokens.set('t', activeToken(as.issuer, { exp: Math.floor(clock.now() / 1000) + 3600 }));
    const seen: string[] = [];
    verifier = new IntrospectionVerifier({ issuer: as.issuer, resource: RESOURCE, ...INTROSPECTION_CLIENT, clock, revocationStream: false, onCacheLookup: (r) => void seen.push(r) });
    await Promise.all([verifier.verify('t'), verifier.verify('t')]);
    await verifier.verify('t');
    expect(seen).toEqual(['miss', 'coalesced', 'hit']);
    expect(as.introspectionCalls).toBe(seen.filter((r) => r === 'miss').length);
  });
});
