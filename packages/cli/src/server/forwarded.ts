/**
 * Who sent a request, and over which scheme. X-Forwarded-For/-Proto decide
 * the client IP that rate limits count and the scheme the server is reached
 * over, and anyone can send them; so they count only as far as they were
 * written by proxies the operator trusts (`trustProxy`: none by default, a
 * hop count, or address ranges). proxy-addr walks X-Forwarded-For from the
 * socket peer leftwards while each address is trusted and returns the first
 * untrusted one: the client as the nearest trusted proxy saw it.
 *
 * The answer goes to the app in Hono's `env` (NodeBindings) next to
 * `incoming`, computed only when asked for: rebuilding the web Request with
 * normalised headers cost more than half the throughput of a small request.
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * `false`: no proxy, the socket peer is the client. `true` or a number n:
 * the n nearest hops (`true` is 1) are proxies, whatever their address.
 * Addresses/CIDRs (or `loopback`, `linklocal`, `uniquelocal`): a hop is a
 * proxy when its address is in one of them.
 */
export type TrustProxy = boolean | number | string | readonly string[];

export type TrustFunction = (address: string, hop: number) => boolean;

/** Refuses what would silently trust nothing or everything by mistake (a negative count, an empty list, a bad CIDR). */
export function compileTrustProxy(trust: TrustProxy): TrustFunction {
  if (trust === false) return () => false;
  if (trust === true) return (_address, hop) => hop < 1;
  if (typeof trust === 'number') {
    if (!Number.isInteger(trust) || trust < 0) throw new TypeError(`trust proxy: a hop count must be a whole number ≥ 0, not ${trust}`);
    return (_address, hop) => hop < trust;
  }
  const ranges = (typeof trust === 'string' ? trust.split(',') : [...trust]).map((range) => range.trim()).filter((range) => range !== '');
  if (ranges.length === 0) throw new TypeError('trust proxy: no address range given');
  return proxyaddr.compile(ranges);
}

/** Parses the `--trust-proxy` flag / `trust_proxy` value: `true`, `false`, a hop count, or comma-separated ranges. */
export function parseTrustProxy(value: string | boolean | number | readonly string[] | undefined): TrustProxy {
  if (value === undefined) return false;
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === 'true' || text === '') return true;
  if (text === 'false') return false;
  if (/^\d+$/.test(text)) return Number(text);
  return text.split(',').map((range) => range.trim());
}

/** What the app reads from Hono's `env` on Node (see authorization-server session/client-ip.ts). */
export interface NodeBindings {
  incoming: IncomingMessage;
  /** The client's address after the trusted proxies. */
  readonly clientAddress: string;
  /** `https` or `http`: the trusted proxy's X-Forwarded-Proto, else the listener's own. */
  readonly scheme: 'http' | 'https';
}

export function nodeBindings(incoming: IncomingMessage, trust: TrustFunction, tls: boolean): NodeBindings {
  let address: string | undefined;
  return {
    incoming,
    get clientAddress() {
      return (address ??= proxyaddr(incoming, trust) ?? '');
    },
    get scheme() {
      const own = tls ? 'https' : 'http';
      if (!trust(incoming.socket?.remoteAddress ?? '', 0)) return own;
      const header = incoming.headers['x-forwarded-proto'];
      // The first entry: the outermost proxy wrote it, the one the client spoke to.
      const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim().toLowerCase();
      return first === 'https' || first === 'http' ? first : own;
    },
  };
}
