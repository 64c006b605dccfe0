/**
 * The hop to an HTTP upstream. By default node:http(s) over keep-alive
 * connections (one pool per gateway upstream): the global `fetch` (undici)
 * cost the gateway a WHATWG Request, Headers, a request-body stream and a
 * tee per call, which showed as the largest share of the gateway's own CPU
 * in profiles. The request goes out in one write (headers and a
 * Content-Length body); the answer's body stays a stream (SSE events pass
 * as they arrive) and only the headers the gateway forwards are read.
 *
 * A `fetch` given in the options (tests, custom TLS) is used instead, with
 * the same interface.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface UpstreamAnswer {
  status: number;
  /** A response header (lower-case name), or null. */
  header(name: string): string | null;
  body: ReadableStream<Uint8Array> | null;
  /** Drops the body unread (and the connection with it, if it is still streaming). */
  discard(): Promise<void>;
}

export interface UpstreamTransport {
  send(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<UpstreamAnswer>;
  close(): void;
}

/** Through a web `fetch` (the option tests and custom setups pass). */
export function fetchTransport(fetchImpl: typeof fetch): UpstreamTransport {
  return {
    async send(url, init) {
      const response = await fetchImpl(url, init);
      return {
        status: response.status,
        header: (name) => response.headers.get(name),
        body: response.body,
        discard: async () => {
          await response.body?.cancel().catch(() => {});
        },
      };
    },
    close() {},
  };
}

const IDLE_TIMEOUT_MS = 300_000;
/** Statuses whose responses have no body (a web Response refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** node:http(s) with keep-alive connections. */
export function nodeTransport(): UpstreamTransport {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  return {
    send(url, init) {
      const secure = url.startsWith('https:');
      return new Promise<UpstreamAnswer>((resolve, reject) => {
        const headers: Record<string, string | number> = { ...init.headers };
        const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
        if (body) headers['content-length'] = body.byteLength;
        const request = (secure ? httpsRequest : httpRequest)(url, { method: init.method, headers, agent: secure ? agents.https : agents.http });
        // As fetch (undici) did: an upstream silent for 300 s, before its headers or within its body, is given up.
        request.setTimeout(IDLE_TIMEOUT_MS, () => request.destroy(new Error(`the upstream sent nothing for ${IDLE_TIMEOUT_MS / 1000} s`)));
        request.once('error', reject);
        request.once('response', (response) => {
          // Later socket errors end the body stream (bodyStream); an unheard 'error' would end the process.
          request.off('error', reject);
          request.on('error', () => {});
          resolve(answerOf(response));
        });
        request.end(body);
      });
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function answerOf(response: IncomingMessage): UpstreamAnswer {
  const status = response.statusCode ?? 502;
  if (NULL_BODY.has(status)) response.resume();
  const body = NULL_BODY.has(status) ? null : bodyStream(response);
  return {
    status,
    header(name) {
      const value = response.headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
    body,
    discard: async () => {
      await body?.cancel().catch(() => {});
    },
  };
}

/**
 * The response body as a web stream, chunk by chunk as node reads it; the
 * socket is paused while the reader is behind (backpressure), and
 * cancelling destroys the response (and its connection) instead of
 * reading what nobody wants.
 */
function bodyStream(response: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      response.on('data', (chunk: Buffer) => {
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) response.pause();
      });
      response.once('end', () => controller.close());
      response.once('error', (error) => controller.error(error));
      // The connection closed before the body was complete (upstream crashed mid-stream).
      response.once('close', () => {
        if (!response.complete) controller.error(new Error('the upstream closed the connection before the response was complete'));
      });
    },
    pull() {
      response.resume();
    },
    cancel() {
      response.destroy();
    },
  });
}
