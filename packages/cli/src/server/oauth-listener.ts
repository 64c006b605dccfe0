/**
 * The token endpoint and introspection answered from Node's request
 * directly: the hot paths of agents and resource servers. Through
 * @hono/node-server and Hono, each request became a web Request with its
 * headers copied, went through the router and three middlewares, and its
 * Response was taken apart again to be written; for a body of a few hundred
 * bytes that cost more CPU than the answer itself.
 *
 * Only what the app would answer the same way comes here: POST to exactly
 * `/token` or `/introspect` (no query), a Host @hono/node-server accepts, and
 * a declared Content-Length within the app's body limit. The answer comes
 * from the same function the app's route calls (FORM_ENDPOINTS), fed the
 * same bindings (peer address and scheme after the trusted proxies); the
 * operations layer records it as it records every request (request id,
 * access line, metrics, drain), with the request id and client id passed
 * along rather than through the request scope (operations/request-scope.ts). Everything else, a chunked or oversized
 * body included, goes to `fallback`, the app, untouched.
 */
import type { IncomingMessage, RequestListener } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { bodyLimitOf, FORM_ENDPOINTS, nodeEndpointRequest, type ServerContext } from '@gatehouse-auth/authorization-server';
import type { Observed } from '../operations/access-log.ts';

export interface OAuthListenerOptions {
  context: ServerContext;
  observed: Pick<Observed, 'serveNode'>;
  /** What the app gets in Hono's `env` for this request (forwarded.ts nodeBindings). */
  bindings: (incoming: IncomingMessage) => unknown;
  fallback: RequestListener;
}

/** Hosts checked so far (a server is reached under a handful of names); bounded so junk Hosts cannot grow it. */
const MAX_REMEMBERED_HOSTS = 64;

export function oauthListener({ context, observed, bindings, fallback }: OAuthListenerOptions): RequestListener {
  const hosts = new Map<string, boolean>();
  const hostAccepted = (incoming: IncomingMessage, host: string): boolean => {
    let accepted = hosts.get(host);
    if (accepted === undefined) {
      accepted = hostAsHonoAccepts(incoming, host);
      if (hosts.size < MAX_REMEMBERED_HOSTS) hosts.set(host, accepted);
    }
    return accepted;
  };
  return (incoming, outgoing) => {
    const path = incoming.url ?? '';
    const endpoint = incoming.method === 'POST' ? FORM_ENDPOINTS.get(path) : undefined;
    const host = incoming.headers.host;
    const declared = incoming.headers['content-length'];
    if (
      !endpoint ||
      host === undefined ||
      declared === undefined ||
      incoming.headers['transfer-encoding'] !== undefined ||
      !/^\d+$/.test(declared) ||
      Number(declared) > bodyLimitOf(context, path) ||
      !hostAccepted(incoming, host)
    ) {
      fallback(incoming, outgoing);
      return;
    }
    void observed.serveNode(incoming, outgoing, path, (requestId) => endpoint(context, nodeEndpointRequest(incoming, bindings(incoming), requestLog(context, requestId))));
  };
}

/** The context's log with the request's id on every line, as the request scope gives lines of requests the app serves. */
function requestLog(context: ServerContext, requestId: string): ServerContext['log'] {
  return (level, message, fields) => context.log(level, message, { reqId: requestId, ...fields });
}

/** @hono/node-server's rule for a request's Host (it answers 400 otherwise): it parses as a URL host, and naming no other host. */
function hostAsHonoAccepts(incoming: IncomingMessage, host: string): boolean {
  try {
    const url = new URL(`${(incoming.socket as TLSSocket).encrypted ? 'https' : 'http'}://${host}/`);
    return url.hostname.length === host.length || url.hostname === host.replace(/:\d+$/, '');
  } catch {
    return false;
  }
}
