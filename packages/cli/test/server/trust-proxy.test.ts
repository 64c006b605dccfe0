/**
 * Which X-Forwarded-For/-Proto entries count (issue 11): none from an
 * untrusted peer, and through a chain of trusted proxies the address the
 * outermost trusted proxy saw, by hop count or by address range.
 */
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { compileTrustProxy, nodeBindings, parseTrustProxy, type TrustProxy } from '../../src/server/forwarded.ts';
import { parseConfig } from '../../src/config/load.ts';
import { startGatehouse } from '../../src/server/start.ts';

const from = (peer: string, headers: Record<string, string>) => ({ socket: { remoteAddress: peer }, headers }) as unknown as IncomingMessage;
const seen = (trust: TrustProxy, peer: string, headers: Record<string, string>) => nodeBindings(from(peer, headers), compileTrustProxy(trust), false);

describe('trusted proxies (X-Forwarded-For / -Proto)', () => {
  it('without trusted proxies, a spoofed X-Forwarded-For and -Proto count for nothing', () => {
    const bindings = seen(false, '198.51.100.20', { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' });
    expect(bindings.clientAddress).toBe('198.51.100.20');
    expect(bindings.scheme).toBe('http');
  });

  it('a peer outside the trusted ranges cannot spoof its address, even naming a trusted one', () => {
    const bindings = seen(['loopback', '10.0.0.0/8'], '198.51.100.20', { 'x-forwarded-for': '10.0.0.3, 127.0.0.1', 'x-forwarded-proto': 'https' });
    expect(bindings.clientAddress).toBe('198.51.100.20');
    expect(bindings.scheme).toBe('http');
  });

  it('a chain through two trusted proxies yields the client the outer proxy saw, not what the client wrote', () => {
    // client wrote 192.0.2.66; the outer proxy (10.0.0.2) appended the client's real address; the inner one (10.0.0.7) appended 10.0.0.2.
    const headers = { 'x-forwarded-for': '192.0.2.66, 203.0.113.9, 10.0.0.2', 'x-forwarded-proto': 'https' };
    const byRange = seen(['10.0.0.0/8'], '10.0.0.7', headers);
    expect(byRange.clientAddress).toBe('203.0.113.9');
    expect(byRange.scheme).toBe('https');
    expect(seen(2, '10.0.0.7', headers).clientAddress).toBe('203.0.113.9');
  });

  it('`--trust-proxy` alone trusts the nearest hop only', () => {
    expect(parseTrustProxy(true)).toBe(true);
    const bindings = seen(parseTrustProxy(true), '10.0.0.7', { 'x-forwarded-for': '192.0.2.66, 10.0.0.2' });
    expect(bindings.clientAddress).toBe('10.0.0.2');
  });

  it('parses the flag: a hop count, ranges, or false; refuses an empty range list and a bad CIDR', () => {
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('loopback, 10.0.0.0/8')).toEqual(['loopback', '10.0.0.0/8']);
    expect(parseTrustProxy('false')).toBe(false);
    expect(() => compileTrustProxy([])).toThrow(/no address range/);
    expect(() => compileTrustProxy(['10.0.0.0/99'])).toThrow();
    expect(() => compileTrustProxy(-1)).toThrow(/hop count/);
  });

  it('the config’s server.trust_proxy takes ranges or a hop count', () => {
    expect(parseConfig('server:\n  trust_proxy: [loopback, 10.0.0.0/8]\n').server.trust_proxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(parseConfig('server:\n  trust_proxy: 2\n').server.trust_proxy).toBe(2);
    expect(() => parseConfig('server:\n  trust_proxy: []\n')).toThrow();
  });
});

describe('the listening server counts what the trusted proxies say', () => {
  // The registration limit is per client address: a client that could choose its address would never hit it.
  const register = (url: string, forwardedFor: string) =>
    fetch(`${url}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ client_name: 'x', redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none' }),
    });

  it('a client sending a different X-Forwarded-For each time still hits its per-address limit (no trusted proxy)', async () => {
    const gatehouse = await startGatehouse({ options: { registrationRateLimitPerMinute: 2 } });
    try {
      const statuses = [];
      for (const spoofed of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) statuses.push((await register(gatehouse.url, spoofed)).status);
      expect(statuses[2]).toBe(429);
    } finally {
      await gatehouse.close();
    }
  });

  it('behind a trusted loopback proxy, each client network the proxy reports has its own limit', async () => {
    const gatehouse = await startGatehouse({ config: parseConfig('server:\n  trust_proxy: [loopback]\n'), options: { registrationRateLimitPerMinute: 2 } });
    try {
      const statuses = [];
      // Registration is counted per client network (an IPv4 /24, docs/clients.md): three clients in three networks.
      for (const client of ['203.0.113.1', '198.51.100.1', '192.0.2.1']) statuses.push((await register(gatehouse.url, client)).status);
      expect(statuses).not.toContain(429);
      expect((await register(gatehouse.url, '203.0.113.1')).status).not.toBe(429);
      expect((await register(gatehouse.url, '203.0.113.1')).status).toBe(429);
    } finally {
      await gatehouse.close();
    }
  });
});
