import { describe, expect, it } from 'vitest';
import { judgeAddress } from '../../src/clients/cimd/address.ts';

const strict = { allowLoopback: false };

describe('CIMD SSRF: RFC 6890 special-use addresses are refused', () => {
  it.each([
    ['127/8 loopback', '127.0.0.1'],
    ['127/8 loopback, not .1', '127.42.0.7'],
    ['10/8 private', '10.0.0.1'],
    ['172.16/12 private', '172.16.0.1'],
    ['172.16/12 private, top of block', '172.31.255.254'],
    ['192.168/16 private', '192.168.1.1'],
    ['169.254.169.254 cloud metadata', '169.254.169.254'],
    ['100.64/10 shared address space', '100.64.0.1'],
    ['0/8 this network', '0.0.0.0'],
    ['224/4 multicast', '224.0.0.1'],
    ['255.255.255.255 broadcast', '255.255.255.255'],
    ['192.0.2/24 documentation', '192.0.2.10'],
    ['198.18/15 benchmarking', '198.18.0.1'],
    ['240/4 reserved', '240.0.0.1'],
    ['::1 loopback', '::1'],
    [':: unspecified', '::'],
    ['fc00::/7 unique local', 'fd12:3456::1'],
    ['fe80::/10 link-local', 'fe80::1'],
    ['ff00::/8 multicast', 'ff02::1'],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
    ['IPv4-mapped private', '::ffff:10.0.0.1'],
    ['IPv4-mapped metadata, hex form', '::ffff:a9fe:a9fe'],
    ['NAT64 of a private address', '64:ff9b::a00:1'],
    ['6to4', '2002:7f00:1::1'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['documentation 2001:db8::/32', '2001:db8::1'],
    ['not an address', 'evil.test'],
  ])('refuses %s (%s)', (_name, address) => {
    expect(judgeAddress(address, strict).allowed).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::6810:85e5'])('accepts global unicast %s', (address) => {
    expect(judgeAddress(address, strict)).toEqual({ allowed: true });
  });

  it('allows loopback, and only loopback, when the AS itself runs on loopback (allowLoopback)', () => {
    expect(judgeAddress('127.0.0.1', { allowLoopback: true }).allowed).toBe(true);
    expect(judgeAddress('::1', { allowLoopback: true }).allowed).toBe(true);
    expect(judgeAddress('10.0.0.1', { allowLoopback: true }).allowed).toBe(false);
    expect(judgeAddress('169.254.169.254', { allowLoopback: true }).allowed).toBe(false);
  });
});
