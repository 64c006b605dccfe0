/**
 * Which IP addresses a metadata-document fetch may connect to. Only global
 * unicast passes: every RFC 6890 special-use block (loopback, private,
 * link-local incl. 169.254.169.254, CGNAT, this-network, multicast,
 * documentation, benchmarking, ULA, NAT64, 6to4, Teredo…) is refused.
 * IPv4-mapped IPv6 is judged as the IPv4 address it carries.
 */
import ipaddr from 'ipaddr.js';

/** Blocks ipaddr.js 1.9 does not name but RFC 6890 lists as special-use. */
const EXTRA_BLOCKED: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [
  ipaddr.parseCIDR('198.18.0.0/15'), // benchmarking (RFC 2544)
  ipaddr.parseCIDR('100::/64'), // discard-only (RFC 6666)
  ipaddr.parseCIDR('2001::/23'), // IETF protocol assignments (RFC 2928)
  ipaddr.parseCIDR('64:ff9b:1::/48'), // local-use NAT64 (RFC 8215)
];
/** Global unicast IPv6 lives in 2000::/3 only (RFC 4291 §2.4). */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

export type AddressVerdict = { allowed: true } | { allowed: false; range: string };

export function judgeAddress(address: string, options: { allowLoopback: boolean }): AddressVerdict {
  if (!ipaddr.isValid(address)) return { allowed: false, range: 'invalid' };
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  if (range === 'loopback') return options.allowLoopback ? { allowed: true } : { allowed: false, range };
  if (range !== 'unicast') return { allowed: false, range };
  for (const block of EXTRA_BLOCKED) {
    if (inBlock(parsed, block)) return { allowed: false, range: `${block[0].toString()}/${block[1]}` };
  }
  if (parsed.kind() === 'ipv6' && !inBlock(parsed, GLOBAL_UNICAST_V6)) return { allowed: false, range: 'not global unicast' };
  return { allowed: true };
}

function inBlock(address: ipaddr.IPv4 | ipaddr.IPv6, [block, bits]: [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  if (address.kind() !== block.kind()) return false;
  return address.kind() === 'ipv4' ? (address as ipaddr.IPv4).match(block as ipaddr.IPv4, bits) : (address as ipaddr.IPv6).match(block as ipaddr.IPv6, bits);
}
