/**
 * IPv4 addresses and ranges as Cedar's `ip` extension reads them, for the
 * policy evaluator (policy-evaluator.ts). Only the canonical dotted form
 * (no leading zeros, optional `/0`–`/32`) is accepted; anything else, and
 * every IPv6 value, is left to Cedar itself.
 */

export interface Ipv4Range {
  /** The address as written, an unsigned 32-bit number. */
  address: number;
  prefix: number;
}

const OCTET = '(0|[1-9][0-9]{0,2})';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}(?:/(0|[1-9][0-9]?))?$`);

export function parseIpv4(text: string): Ipv4Range | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((octet) => octet > 255)) return undefined;
  const prefix = match[5] === undefined ? 32 : Number(match[5]);
  if (prefix > 32) return undefined;
  return { address: ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0, prefix };
}

const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** First and last address of the range. */
function bounds(range: Ipv4Range): [number, number] {
  const mask = maskOf(range.prefix);
  const first = (range.address & mask) >>> 0;
  return [first, (first | ~mask) >>> 0];
}

/** `a.isInRange(b)`: every address of `a` lies in `b`. */
export function ipv4InRange(a: Ipv4Range, b: Ipv4Range): boolean {
  const [aFirst, aLast] = bounds(a);
  const [bFirst, bLast] = bounds(b);
  return bFirst <= aFirst && aLast <= bLast;
}

const LOOPBACK: Ipv4Range = { address: 0x7f000000, prefix: 8 };

/** `a.isLoopback()` for a single address (a range is left to Cedar). */
export const ipv4IsLoopback = (a: Ipv4Range): boolean => ipv4InRange(a, LOOPBACK);
