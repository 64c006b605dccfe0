/**
 * The network a client address belongs to, for rate limits that must not
 * be dodged by hopping addresses: an IPv4 /24, an IPv6 /64 (the smallest
 * block one subscriber is handed; every address in it is theirs for free).
 * IPv4-mapped IPv6 counts as the IPv4 address it carries. Anything that is
 * not an address (no socket: 'unknown') is its own network.
 */
import ipaddr from 'ipaddr.js';

export function networkOf(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === 'ipv4') {
    const [a, b, c] = (parsed as ipaddr.IPv4).octets;
    return `${a}.${b}.${c}.0/24`;
  }
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(':')}::/64`;
}
