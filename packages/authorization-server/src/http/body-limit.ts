/**
 * One size limit for every request body, enforced before any route reads
 * it (issue 10: `/login`, `POST /authorize` and `/interaction/:id` used to
 * buffer whatever arrived, unauthenticated). A declared Content-Length over
 * the limit is refused without reading a byte; a body without one
 * (chunked) is read here up to the limit and handed on in memory, so no
 * route ever sees more than the limit. Under Node the parser never delivers
 * more bytes than Content-Length declares, so a declared length within the
 * limit is left for the route to read; elsewhere every body is capped here.
 *
 * A refusal is 413 in the endpoint's own format (an HTML page on the pages
 * people see, OAuth JSON elsewhere) and says `Connection: close`: the
 * unread rest of the body makes the socket unusable, and a pooling client
 * (undici) told so opens a new connection instead of failing its next
 * request on this one.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { OAuthError } from '@gatehouse-auth/core';
import type { AppEnv, ServerContext } from '../context.ts';
import { issuerPath } from '../discovery/issuer-paths.ts';
import { errorPage } from '../views/error-page.ts';
import { oauthErrorResponse } from './oauth-response.ts';
import { nodeIncoming, requestHeaders } from './request-headers.ts';

/** Routes that answer people with HTML pages (everything else answers machines with JSON). */
const PAGE_ROUTE = /^\/(?:login|signup|logout|authorize|interaction\/[^/]*|sso\/saml\/[^/]+\/[^/]+\/acs)$/;
/** A SAML response is an IdP-signed XML document, base64 and form-encoded: with many groups, far past the page-form limit. */
const SAML_ACS = /^\/sso\/saml\/[^/]+\/[^/]+\/acs$/;
const SAML_ACS_MAX_BODY_BYTES = 1024 * 1024;

/** The most a request to `route` (a path without the issuer's) may carry. */
export const bodyLimitOf = (ctx: ServerContext, route: string): number =>
  route === '/register' ? ctx.options.dynamicRegistration.maxBodyBytes : SAML_ACS.test(route) ? SAML_ACS_MAX_BODY_BYTES : ctx.options.maxBodyBytes;

export function bodyLimit(ctx: ServerContext): MiddlewareHandler<AppEnv> {
  const prefix = issuerPath(ctx.options.issuer);
  const limitOf = (route: string): number => bodyLimitOf(ctx, route);
  return async (c, next) => {
    // Routes are matched both at the root and under the issuer's path (app.ts serveUnderIssuerPath).
    const route = prefix && c.req.path.startsWith(`${prefix}/`) ? c.req.path.slice(prefix.length) : c.req.path;
    const limit = limitOf(route);
    const incoming = nodeIncoming(c.env);
    const headers = requestHeaders(c.req.raw, incoming);
    const declared = headers.get('content-length');
    if (declared !== null && Number(declared) > limit) return refuse(route, limit);
    if (incoming) {
      // Node: a declared length is enforced by the parser; only a chunked body needs reading here.
      if (declared !== null || headers.get('transfer-encoding') === null) return next();
      // Read once from the socket; a request re-dispatched under the issuer path already carries the capped copy.
      if (!incoming.readableDidRead) {
        const body = await readIncoming(incoming, limit);
        if (!body) return refuse(route, limit);
        replaceBody(c, body);
        return next();
      }
    }
    if (!c.req.raw.body) return next();
    const body = await readStream(c.req.raw.body, limit);
    if (!body) return refuse(route, limit);
    replaceBody(c, body);
    return next();
  };
}

async function refuse(route: string, limit: number): Promise<Response> {
  if (PAGE_ROUTE.test(route)) {
    const page = await errorPage(413, 'Request too large', 'The form sent to this page was too large. Go back and try again.');
    page.headers.set('connection', 'close');
    return page;
  }
  return oauthErrorResponse(new OAuthError('request_too_large', `The request body exceeds ${limit} bytes.`, { headers: { connection: 'close' }, detail: 'request body over limit' }));
}

/** The request a route will read: same URL, method and headers, the body already in memory. */
function replaceBody(c: Context<AppEnv>, body: Buffer): void {
  const original = c.req.raw;
  c.req.raw = new Request(original.url, { method: original.method, headers: original.headers, body: body.byteLength > 0 ? new Uint8Array(body) : null });
}

/** Reads a Node request up to `limit` bytes; undefined (and nothing kept) past it. */
function readIncoming(incoming: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        done();
        chunks = [];
        // The server drains and discards the rest after answering (and closes the connection).
        incoming.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      done();
      reject(error);
    };
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
  });
}

async function readStream(stream: ReadableStream<Uint8Array>, limit: number): Promise<Buffer | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
}
