/**
 * A node:http request as the guard and an HTTP upstream read it (method,
 * URL, headers), without the web Request @hono/node-server would build:
 * its Headers (each name and value validated again), URL parsing and
 * abort signal were a tenth of the gateway's own CPU per call. Headers read
 * as `Headers.get` reads them: every field of a name, in order, joined by
 * ", " (node's `incoming.headers` keeps only the first Authorization or
 * Content-Type, which would let a second one pass unseen). A stdio upstream,
 * which hands the request to the MCP SDK's transport, gets the web Request
 * built from the same fields (`toRequest`).
 */
import type { IncomingMessage } from 'node:http';
import type { HeaderReader, RequestHead } from '@gatehouse-auth/mcp';

export interface NodeRequestHead extends RequestHead {
  /** The web Request with these method, URL and headers (no body: the guard was given it parsed). */
  toRequest(): Request;
}

export function nodeRequestHead(url: string, incoming: IncomingMessage): NodeRequestHead {
  return new NodeHead(url, incoming.method ?? 'GET', incoming.rawHeaders);
}

/** A class, not a literal with methods: a literal's methods are new functions on every request. */
class NodeHead implements NodeRequestHead, HeaderReader {
  private readonly fields = new Map<string, string>();
  /** The head is its own header reader. */
  readonly headers: HeaderReader = this;

  constructor(
    readonly url: string,
    readonly method: string,
    private readonly raw: string[],
  ) {
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.charCodeAt(0) === 58 /* : */) continue; // HTTP/2 pseudo-headers, as @hono/node-server skips them
      const key = name.toLowerCase();
      const before = this.fields.get(key);
      this.fields.set(key, before === undefined ? raw[i + 1]! : `${before}, ${raw[i + 1]!}`);
    }
  }

  get(name: string): string | null {
    return this.fields.get(name.toLowerCase()) ?? null;
  }

  toRequest(): Request {
    const web = new Headers();
    const raw = this.raw;
    for (let i = 0; i < raw.length; i += 2) if (raw[i]!.charCodeAt(0) !== 58) web.append(raw[i]!, raw[i + 1]!);
    return new Request(this.url, { method: this.method, headers: web });
  }
}
