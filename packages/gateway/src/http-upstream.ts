/**
 * A Streamable HTTP upstream behind a streaming reverse proxy: the request
 * goes on with the MCP headers it carried and the gateway's own
 * credentials (never the caller's Authorization or cookies), the answer
 * comes back as it streams (SSE events pass as they arrive). The session
 * the upstream assigns at initialize is bound to its user and client; a
 * request naming a session of someone else, or one the gateway does not
 * know, is answered 404 as an unknown session and never reaches the
 * upstream.
 */
import type { RequestHead } from '@gatehouse-auth/mcp';
import { idOf, rpcError, SESSION_NOT_FOUND, UPSTREAM_UNAVAILABLE } from './errors.ts';
import { sameOwner, type SessionOwner } from './owner.ts';
import { upstreamCredentials, type UpstreamCredentialOptions, type UpstreamCredentials } from './upstream-credentials.ts';
import { MAX_HELD_BYTES, type HeldAnswer, type Upstream, type UpstreamRequest } from './upstream.ts';
import { fetchTransport, nodeTransport, type UpstreamAnswer, type UpstreamTransport } from './upstream-transport.ts';

export interface HttpUpstreamOptions extends UpstreamCredentialOptions {
  /** The upstream's MCP endpoint. */
  url: string;
  /** Instead of node:http (tests); also used to obtain client_credentials tokens. */
  fetch?: typeof fetch;
  onError?: (error: unknown) => void;
}

/** Request headers that carry MCP itself; everything else (Authorization, Cookie, Host…) stays at the gateway. */
const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id', 'mcp-method', 'mcp-name'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'mcp-session-id', 'mcp-protocol-version', 'cache-control', 'retry-after'];

const MAX_BINDINGS = 10_000;

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

interface Binding {
  owner: SessionOwner;
  tokens: Set<string>;
}

export class HttpUpstream implements Upstream {
  private readonly bindings = new Map<string, Binding>();
  private readonly credentials: UpstreamCredentials;
  private readonly transport: UpstreamTransport;

  constructor(private readonly options: HttpUpstreamOptions) {
    this.transport = options.fetch ? fetchTransport(options.fetch) : nodeTransport();
    this.credentials = upstreamCredentials(options, options.fetch ?? fetch);
  }

  async handle({ request, body, owner, tokenHash, holdMs }: UpstreamRequest): Promise<Response | HeldAnswer> {
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId !== null) {
      const binding = this.bindings.get(sessionId);
      if (!binding || !sameOwner(binding.owner, owner)) return rpcError(idOf(body), SESSION_NOT_FOUND, 'Session not found', 404);
      if (tokenHash) binding.tokens.add(tokenHash);
    }
    let response = await this.send(request, body);
    if (!(response instanceof Error) && (response.status === 401 || response.status === 403)) {
      // Our own credentials were refused (expired or rotated): renew once.
      this.credentials.refused();
      await response.discard();
      response = await this.send(request, body);
      if (!(response instanceof Error) && (response.status === 401 || response.status === 403)) {
        await response.discard();
        return rpcError(idOf(body), UPSTREAM_UNAVAILABLE, "The upstream MCP server refused the gateway's credentials", 502);
      }
    }
    if (response instanceof Error) {
      this.options.onError?.(response);
      return rpcError(idOf(body), UPSTREAM_UNAVAILABLE, 'The upstream MCP server cannot be reached', 502);
    }
    const ok = response.status >= 200 && response.status < 300;
    const assigned = response.header('mcp-session-id');
    if (assigned !== null && sessionId === null && ok) {
      this.bindings.set(assigned, { owner, tokens: new Set(tokenHash ? [tokenHash] : []) });
      // Clients that never DELETE would grow this map forever: the oldest binding goes first (its client gets 404 and initializes again).
      if (this.bindings.size > MAX_BINDINGS) this.bindings.delete(this.bindings.keys().next().value!);
    }
    if (request.method === 'DELETE' && sessionId !== null && ok) this.bindings.delete(sessionId);
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const value = response.header(name);
      if (value !== null) headers[name] = value;
    }
    const whole = holdMs === undefined ? undefined : await response.whole?.(holdMs, MAX_HELD_BYTES);
    if (whole !== undefined) return { whole: { status: response.status, headers, body: whole } };
    return new Response(response.body, { status: response.status, headers });
  }

  private send(request: RequestHead, body: unknown): Promise<UpstreamAnswer | Error> {
    const credentials = this.credentials.ready();
    // Credentials at hand (static, or a token still fresh): no promise to wait on.
    if (credentials !== undefined) return this.sendWith(request, body, credentials);
    return this.credentials.headers().then((obtained) => this.sendWith(request, body, obtained), asError);
  }

  /** Chained promises, not an async function awaiting the transport: one promise fewer per call. */
  private sendWith(request: RequestHead, body: unknown, credentials: Record<string, string>): Promise<UpstreamAnswer | Error> {
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = request.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    // Lower-cased like the names above, so a configured header replaces, never doubles, one of them.
    for (const name in credentials) headers[name.toLowerCase()] = credentials[name]!;
    const init: Parameters<UpstreamTransport['send']>[1] = { method: request.method, headers };
    // The message the guard and the policy checked, re-serialized: the upstream parses exactly what was
    // authorized (raw bytes could carry duplicate keys that another JSON parser reads differently).
    if (request.method === 'POST') init.body = JSON.stringify(body);
    try {
      // No request.signal: the client going away cancels the body we hand back, which ends this request.
      return this.transport.send(this.options.url, init).catch(asError);
    } catch (error) {
      return Promise.resolve(asError(error));
    }
  }

  async closeWhere(predicate: (session: { owner: SessionOwner; tokens: ReadonlySet<string> }) => boolean): Promise<number> {
    const doomed = [...this.bindings].filter(([, binding]) => predicate(binding));
    await Promise.all(
      doomed.map(async ([sessionId]) => {
        this.bindings.delete(sessionId);
        // Ends the upstream session too (MCP: a client MAY DELETE; the gateway does it for the revoked user).
        const headers: Record<string, string> = { 'mcp-session-id': sessionId, ...(await this.credentials.headers().catch(() => ({}))) };
        const response = await this.transport.send(this.options.url, { method: 'DELETE', headers }).catch(() => undefined);
        await response?.discard();
      }),
    );
    return doomed.length;
  }

  async close(): Promise<void> {
    this.bindings.clear();
    this.transport.close();
  }
}
