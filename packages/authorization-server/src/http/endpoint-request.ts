/**
 * What the form endpoints (/token, /introspect) read from a request: a few
 * headers, the body, and who sent it. Two sources give it: a Hono context
 * (the app's routes), and Node's IncomingMessage directly (the server's
 * node-level route for these hot paths, packages/cli
 * server/oauth-listener.ts), so both run one implementation and answer
 * alike.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { ServerContext } from '../context.ts';
import { readIncoming } from '../token/form.ts';
import { nodeIncoming, requestHeaders, type RequestHeaders } from './request-headers.ts';

export interface EndpointRequest {
  readonly headers: RequestHeaders;
  /** The body as text; readForm checks its type and declared size first. */
  text(): Promise<string>;
  /** The server's bindings (Hono's `env` on Node: `incoming`, `clientAddress`), for requesterAddress. */
  readonly bindings: unknown;
  /** Where the endpoint logs; the node-level route passes one whose lines carry the request's id. Default: the context's log. */
  readonly log?: ServerContext['log'];
}

/** The request a Hono route received (read from Node's request when the body was not read yet). */
export function honoEndpointRequest(c: Context): EndpointRequest {
  const incoming = nodeIncoming(c.env);
  const request = c.req.raw;
  return {
    headers: requestHeaders(request, incoming),
    text: () => (incoming && !incoming.readableDidRead ? readIncoming(incoming) : request.text()),
    bindings: c.env,
  };
}

/** A request served from Node directly; `bindings` are what the server would have put in Hono's `env`. */
export function nodeEndpointRequest(incoming: IncomingMessage, bindings: unknown, log?: ServerContext['log']): EndpointRequest {
  return { headers: requestHeaders(undefined, incoming), text: () => readIncoming(incoming), bindings, log };
}
