import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OAuthError } from '@gatehouse-auth/core';
import { configureCimd, resolveClient, type ResolvedAddress } from '../../src/clients/index.ts';
import { startHarness, type Harness } from '../registration/harness.ts';
import { startDocServer, validDocument, type DocServer } from './doc-server.ts';

let harness: Harness;
let docs: DocServer;

afterEach(async () => {
  await docs.close();
  await harness.close();
});

/** A resolver that answers from a table, counting lookups: no real DNS in these tests. */
function fakeDns(table: Record<string, string[] | ((call: number) => string[])>) {
  const calls: string[] = [];
  const resolver = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const entry = table[hostname];
    if (!entry) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const answers = typeof entry === 'function' ? entry(calls.filter((name) => name === hostname).length) : entry;
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolver, calls };
}

async function expectRefused(clientId: string): Promise<OAuthError> {
  const error = await resolveClient(harness.ctx, clientId).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(OAuthError);
  expect((error as OAuthError).code).toBe('invalid_client');
  expect((error as OAuthError).allowRedirect).toBe(false);
  return error as OAuthError;
}

describe('CIMD SSRF with the production setting (allowLoopback off)', () => {
  beforeEach(async () => {
    harness = await startHarness();
    docs = await startDocServer();
    docs.serveJson(validDocument('unused'));
  });

  it.each([
    ['127/8', '127.0.0.1'],
    ['127/8 beyond .1', '127.1.2.3'],
    ['10/8', '10.0.0.1'],
    ['172.16/12', '172.16.5.4'],
    ['192.168/16', '192.168.0.10'],
    ['169.254.169.254 (cloud metadata)', '169.254.169.254'],
    ['100.64/10', '100.64.1.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['::1', '::1'],
    ['fc00::/7', 'fd00::1'],
    ['fe80::/10', 'fe80::1'],
    ['IPv4-mapped IPv6 loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped IPv6 metadata', '::ffff:169.254.169.254'],
  ])('refuses a host that resolves to %s, before connecting', async (_name, address) => {
    const dns = fakeDns({ 'evil.test': [address] });
    configureCimd(harness.ctx, { resolver: dns.resolver });
    const error = await expectRefused(`https://evil.test:${docs.port}/client.json`);
    expect(error.detail).toMatch(/special-use/);
    expect(dns.calls).toEqual(['evil.test']);
    expect(docs.connections).toBe(0);
  });

  it('refuses a host whose answers mix a public and a private address', async () => {
    configureCimd(harness.ctx, { resolver: fakeDns({ 'evil.test': ['93.184.216.34', '10.0.0.1'] }).resolver });
    await expectRefused(`https://evil.test:${docs.port}/client.json`);
    expect(docs.connections).toBe(0);
  });

  it.each([
    ['a dotted loopback literal', (port: number) => `https://127.0.0.1:${port}/client.json`],
    ['a decimal IPv4 literal', (port: number) => `https://2130706433:${port}/client.json`],
    ['an octal IPv4 literal', (port: number) => `https://0177.0.0.1:${port}/client.json`],
    ['a hexadecimal IPv4 literal', (port: number) => `https://0x7f.0.0.1:${port}/client.json`],
    ['a short IPv4 literal', (port: number) => `https://127.1:${port}/client.json`],
    ['an IPv6 loopback literal', (port: number) => `https://[::1]:${port}/client.json`],
    ['an IPv4-mapped IPv6 literal', (port: number) => `https://[::ffff:127.0.0.1]:${port}/client.json`],
    ['the metadata address literal', () => 'https://169.254.169.254/latest/meta-data'],
    ['a private address literal', () => 'https://10.0.0.1/client.json'],
    ['localhost', (port: number) => `https://localhost:${port}/client.json`],
  ])('refuses %s without asking DNS or connecting', async (_name, url) => {
    const dns = fakeDns({ localhost: ['127.0.0.1'] });
    configureCimd(harness.ctx, { resolver: dns.resolver });
    await expectRefused(url(docs.port));
    expect(docs.connections).toBe(0);
    expect(dns.calls.filter((name) => name !== 'localhost')).toEqual([]);
  });

  it('refuses http on loopback when the AS is not itself on loopback', async () => {
    await expectRefused(`${docs.origin}/client.json`);
    expect(docs.connections).toBe(0);
  });

  it('refuses a host that does not resolve', async () => {
    configureCimd(harness.ctx, { resolver: fakeDns({}).resolver });
    const error = await expectRefused('https://nowhere.test/client.json');
    expect(error.detail).toMatch(/DNS/);
  });

  it.each([
    ['an http URL', 'http://client.example/client.json'],
    ['a URL without a path', 'https://client.example'],
    ['a dot segment', 'https://client.example/a/../client.json'],
    ['a %2e segment', 'https://client.example/%2e%2e/client.json'],
    ['a fragment', 'https://client.example/client.json#x'],
    ['userinfo', 'https://me@client.example/client.json'],
  ])('rejects a client_id URL with %s without resolving or fetching it', async (_name, url) => {
    const dns = fakeDns({ 'client.example': ['93.184.216.34'] });
    configureCimd(harness.ctx, { resolver: dns.resolver });
    const error = await expectRefused(url);
    expect(dns.calls).toEqual([]);
    expect(error.detail).not.toMatch(/DNS|fetch/);
  });
});

describe('CIMD DNS rebinding: the connection goes to the vetted address', () => {
  beforeEach(async () => {
    // Only an AS that itself runs on loopback may fetch from loopback (allowLoopback).
    harness = await startHarness({ cimd: { allowLoopback: true } });
    // 127.0.0.2: the system resolver would send `localhost` to 127.0.0.1 or ::1, where nothing listens on this port.
    docs = await startDocServer('127.0.0.2');
  });

  it('resolves once and connects to the address it checked, not to a second answer', async () => {
    const clientId = `http://localhost:${docs.port}/client.json`;
    docs.serveJson(validDocument(clientId));
    // First answer passes the check; every later answer points at a private address.
    const dns = fakeDns({ localhost: (call) => (call === 1 ? ['127.0.0.2'] : ['10.0.0.1']) });
    configureCimd(harness.ctx, { resolver: dns.resolver });
    const client = await resolveClient(harness.ctx, clientId);
    expect(client.id).toBe(clientId);
    expect(dns.calls).toEqual(['localhost']);
    expect(docs.requests).toEqual(['GET /client.json']);
  });

  it('still refuses private ranges other than loopback when allowLoopback is on', async () => {
    configureCimd(harness.ctx, { resolver: fakeDns({ 'evil.test': ['192.168.1.1'] }).resolver });
    await expectRefused(`https://evil.test:${docs.port}/client.json`);
    expect(docs.connections).toBe(0);
  });
});
