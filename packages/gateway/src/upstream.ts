/** What the gateway hands an upstream: the request (already authenticated and authorized), its parsed body, and who sent it. */
import type { RequestHead, WholeAnswer } from '@gatehouse-auth/mcp';
import type { SessionOwner } from './owner.ts';

export interface UpstreamRequest {
  /** What an HTTP upstream reads of the request (method, URL, headers). */
  request: RequestHead;
  /** The request as a web Request, for an upstream that needs the whole of one (stdio: the MCP SDK's transport). */
  webRequest(): Request;
  /** The parsed JSON-RPC message of a POST; undefined for GET and DELETE. */
  body: unknown;
  owner: SessionOwner;
  /** SHA-256 of the caller's access token, so revoking that token closes what it opened. Never the token. */
  tokenHash?: string;
  /**
   * The caller takes an answer that is complete at once as a WholeAnswer (bytes and plain headers, no web
   * Response or stream): how long to wait for it to end, in ms. Without it, always a Response.
   */
  holdMs?: number;
}

/** Above this many bytes an answer is streamed to the client, even one complete at once (held, or ready within a turn). */
export const MAX_HELD_BYTES = 256 * 1024;

/** An answer the upstream completed within the hold, held whole. */
export interface HeldAnswer {
  whole: WholeAnswer;
}

export interface Upstream {
  handle(input: UpstreamRequest): Promise<Response | HeldAnswer>;
  /** Closes the sessions a revocation takes access from (stdio); HTTP upstreams forget the bindings. */
  closeWhere(predicate: (session: { owner: SessionOwner; tokens: ReadonlySet<string> }) => boolean): Promise<number>;
  close(): Promise<void>;
}
