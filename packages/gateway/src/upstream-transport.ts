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
import { Agent as HttpAgent, request as httpRequest, type Agent, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';

export interface UpstreamAnswer {
  status: number;
  /** A response header (lower-case name), or null. */
  header(name: string): string | null;
  body: ReadableStream<Uint8Array> | null;
  /**
   * The whole body, if it ends within `holdMs` of this call and is at most `maxBytes`; else undefined,
   * and `body` streams it from its start (what was held, then the rest as it arrives). Only before `body`
   * is read; a transport without it (fetch) always streams.
   */
  whole?(holdMs: number, maxBytes: number): Promise<Uint8Array | undefined>;
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

/**
 * The keep-alive race: an upstream closes a connection it has kept idle long enough (node's
 * default: 5 s), and a request written on it at that moment is never read (the kernel answers
 * the unread bytes with a reset). node:http's agent retires an idle connection a second before
 * the upstream's Keep-Alive hint, but it counts from when the gateway took in the last answer:
 * a gateway whose event loop is behind (seen under load, as 502s) still writes on connections
 * the upstream has closed. Such a request, failed with a reset on a reused connection before
 * any byte of an answer, was not read (a reset, not a close) and is sent again on another
 * connection; a request on a new connection, one whose answer had begun, or one ended by a clean
 * close (the upstream may have read and run it) never is. RFC 9110 §9.2.2 allows retrying a
 * non-idempotent request only when it is known not to have been applied: the reset says so.
 */
const STALE_CONNECTION_RETRIES = 2;
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

type Init = Parameters<UpstreamTransport['send']>[1];

/** What node:http needs of an upstream URL, and the Host header it writes for it. */
interface Target {
  /** node's options for the URL (urlToHttpOptions): the fallback when the headers cannot go as a list. */
  options: ReturnType<typeof urlToHttpOptions>;
  hostname: string;
  port: number | undefined;
  path: string;
  /** The Host header node:http writes for this URL (ClientRequest's rule: IPv6 in brackets, the port unless the default). */
  host: string;
  /** `Basic …` for credentials in the URL, as node:http adds it when no Authorization header is given. */
  basic: string | undefined;
}

function targetFor(url: string, secure: boolean): Target {
  const options = urlToHttpOptions(new URL(url));
  const hostname = options.hostname ?? 'localhost';
  const colon = hostname.indexOf(':');
  let host = colon !== -1 && hostname.includes(':', colon + 1) && hostname[0] !== '[' ? `[${hostname}]` : hostname;
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port && port !== (secure ? 443 : 80)) host += `:${port}`;
  return { options, hostname, port, path: options.path ?? '/', host, basic: options.auth ? `Basic ${Buffer.from(options.auth).toString('base64')}` : undefined };
}

/** A request body: the text itself when node may write it in one piece with the head, else its UTF-8 bytes. */
type Payload = string | Buffer;

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * node:http writes a text body together with the request head, in one write; a Buffer after it, as a
 * second buffer of a vectored write (a list of chunks, per call). Joined, the head goes out as UTF-8 rather
 * than latin1, the same bytes when every header value is ASCII (names, the request line and Host always
 * are): then the text, else the bytes, so a header that came as raw bytes goes on as those bytes.
 */
function payloadOf(init: Init): Payload | undefined {
  if (init.body === undefined) return undefined;
  for (const name in init.headers) if (NON_ASCII.test(init.headers[name]!)) return Buffer.from(init.body, 'utf8');
  return init.body;
}

const byteLengthOf = (body: Payload): number => (typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength);

const UPPER_CASE = /[A-Z]/;

/**
 * The options for node:http's request. Headers go as a flat list of names and values, written as given:
 * given as an object, node copies it into a header map of its own, lower-casing each name, and copies
 * its options three times over (the request, its options without the signal, the agent's); a list and
 * only the options it reads are a fraction of that per call. The bytes are the same: the headers in
 * their order, then Host and, for credentials in the URL, Authorization, as node adds them (a test holds
 * this). Names that are not all lower case (two could then name one header), or a Host or Authorization
 * given, take node's own way with the header object.
 */
function requestOptions(target: Target, init: Init, body: Payload | undefined, agent: Agent): RequestOptions {
  const list: (string | number)[] = [];
  for (const name in init.headers) {
    if (UPPER_CASE.test(name) || name === 'host' || (name === 'authorization' && target.basic !== undefined)) return objectOptions(target, init, body, agent);
    list.push(name, init.headers[name]!);
  }
  if (body !== undefined) list.push('content-length', byteLengthOf(body));
  list.push('Host', target.host);
  if (target.basic !== undefined) list.push('Authorization', target.basic);
  return { hostname: target.hostname, port: target.port, path: target.path, method: init.method, headers: list as unknown as OutgoingHttpHeaders, agent };
}

function objectOptions(target: Target, init: Init, body: Payload | undefined, agent: Agent): RequestOptions {
  const headers: Record<string, string | number> = { ...init.headers };
  if (body !== undefined) headers['content-length'] = byteLengthOf(body);
  return { ...target.options, method: init.method, headers, agent };
}

/**
 * node:http(s) with keep-alive connections. Redirects are followed as
 * fetch followed them (an MCP endpoint moved from /mcp to /mcp/, say), but
 * only within the upstream's origin: the gateway's credentials for it are
 * never sent anywhere else (a redirect elsewhere is answered as it is).
 */
export function nodeTransport({ idleTimeoutMs = IDLE_TIMEOUT_MS }: { idleTimeoutMs?: number } = {}): UpstreamTransport {
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  // Where to send a URL's requests, derived once per URL rather than once per request (a gateway calls one or two).
  const targets = new Map<string, Target>();
  const targetOf = (url: string, secure: boolean) => {
    let target = targets.get(url);
    if (target === undefined) {
      target = targetFor(url, secure);
      if (targets.size >= 100) targets.clear();
      targets.set(url, target);
    }
    return target;
  };
  /** The request, sent again on another connection when a kept-alive one turns out stale (see STALE_CONNECTION_RETRIES). */
  const once = (url: string, init: Init, retries = 0): Promise<IncomingMessage> => {
    const secure = url.startsWith('https:');
    return new Promise<IncomingMessage>((resolve, reject) => {
      const body = payloadOf(init);
      const options = requestOptions(targetOf(url, secure), init, body, secure ? agents.https : agents.http);
      // As fetch (undici) did: an upstream silent for 300 s, before its headers or within its body, is given up.
      // The `timeout` option rather than request.setTimeout: node arms the socket's timer as it hands the socket
      // over, without the listeners and closures setTimeout adds to the request and the socket on every call.
      options.timeout = idleTimeoutMs;
      const request = (secure ? httpsRequest : httpRequest)(options);
      request.on('timeout', onIdle);
      // What the connection had read before this request: nothing more read means no byte of an answer.
      let readBefore: number | undefined;
      // 'socket' and 'response' come once per request: `on`, without the wrapper `once` allocates per listener.
      request.on('socket', (socket) => {
        readBefore = socket.bytesRead;
      });
      const failed = (error: NodeJS.ErrnoException) => {
        // Only a reset the kernel reported (syscall read/write: the upstream discarded bytes it never read). node's
        // "socket hang up" carries ECONNRESET too, but for a clean close: an upstream that read the request and then
        // closed may have run it, and a tools/call must never run twice.
        const unanswered = request.reusedSocket && RESET_CODES.has(error.code ?? '') && error.syscall !== undefined && request.socket?.bytesRead === readBefore;
        // Resolved with the next attempt's promise (which it then follows), not rejected and caught: no extra promise per call.
        if (unanswered && retries < STALE_CONNECTION_RETRIES) resolve(once(url, init, retries + 1));
        else reject(error);
      };
      request.on('error', failed);
      request.on('response', (response) => {
        // Later socket errors end the body stream (bodyStream); an unheard 'error' would end the process.
        request.off('error', failed);
        request.on('error', ignore);
        resolve(response);
      });
      request.end(body);
    });
  };
  /** The answer, or the request again at a redirect's target (within the origin; at most MAX_REDIRECTS). */
  const answerOrFollow = (response: IncomingMessage, url: string, init: Init, hops: number): UpstreamAnswer | Promise<UpstreamAnswer> => {
    const status = response.statusCode ?? 502;
    if (!REDIRECTS.has(status) || hops === MAX_REDIRECTS) return new NodeAnswer(response);
    const location = response.headers.location;
    if (location === undefined) return new NodeAnswer(response);
    const next = new URL(location, url);
    if (next.origin !== new URL(url).origin) return new NodeAnswer(response);
    response.resume();
    let nextInit = init;
    // fetch's rule: 303, or 301/302 after a POST, goes on as a GET without the body.
    if (status === 303 || ((status === 301 || status === 302) && init.method === 'POST')) {
      const { 'content-type': _dropped, ...headers } = init.headers;
      nextInit = { method: 'GET', headers };
    }
    return once(next.href, nextInit).then((followed) => answerOrFollow(followed, next.href, nextInit, hops + 1));
  };
  return {
    // Promises chained, not an async function awaiting another: per call, one promise fewer at each step.
    send: (url, init) => once(url, init).then((response) => answerOrFollow(response, url, init, 0)),
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** A request whose upstream went silent (the `timeout` option): one function for every request, not a closure per call. */
function onIdle(this: ClientRequest): void {
  // node keeps the `timeout` option on the request.
  const { timeout } = this as ClientRequest & { timeout?: number };
  this.destroy(new Error(`the upstream sent nothing for ${(timeout ?? 0) / 1000} s`));
}

/** For the 'error' events nobody else hears: one function, not a closure per call. */
const ignore = () => {};

/**
 * An answer read from node:http. A class, not an object literal: a literal
 * with a getter (`get body()`) gets a hidden class of its own on every call,
 * holding that call's getter and so its closure; V8 keeps hidden classes
 * outside the young generation, and from there each one kept its call's
 * request, response and body alive through every young-generation
 * collection until a full one (promoted instead of freed: about 5.6 KB per
 * call, a megabyte copied and promoted by each of the gateway's scavenges).
 */
class NodeAnswer implements UpstreamAnswer {
  readonly status: number;
  /** Read through `whole` before the body was asked for: the chunks held, and how the body ended if it did not end well. */
  private readonly held: Buffer[] = [];
  private failure: Error | undefined;
  private stream: ReadableStream<Uint8Array> | null | undefined;

  constructor(private readonly response: IncomingMessage) {
    this.status = response.statusCode ?? 502;
    if (NULL_BODY.has(this.status)) response.resume();
    // An unheard 'error' would end the process; whoever reads the body (whole, or the body stream) hears it too.
    response.on('error', ignore);
  }

  header(name: string): string | null {
    const value = this.response.headers[name];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return (this.stream ??= NULL_BODY.has(this.status) ? null : bodyStream(this.response, this.held, this.failure));
  }

  whole(holdMs: number, maxBytes: number): Promise<Uint8Array | undefined> {
    if (this.stream !== undefined || NULL_BODY.has(this.status)) return Promise.resolve(undefined);
    const { response, held } = this;
    return new Promise((resolve) => {
      let size = 0;
      const done = (whole: Uint8Array | undefined) => {
        clearTimeout(timer);
        response.off('data', onData).off('end', onEnd).off('error', onFailure).off('close', onClose);
        // Not whole: the rest stays in the response (paused) until the body stream reads it.
        if (whole === undefined) response.pause();
        resolve(whole);
      };
      const onData = (chunk: Buffer) => {
        held.push(chunk);
        size += chunk.byteLength;
        if (size > maxBytes) done(undefined);
      };
      const onEnd = () => done(held.length === 1 ? held[0]! : Buffer.concat(held));
      const onFailure = (error: Error) => {
        this.failure = error;
        done(undefined);
      };
      const onClose = () => {
        if (!response.complete) onFailure(new Error('the upstream closed the connection before the response was complete'));
      };
      const timer = setTimeout(() => done(undefined), holdMs);
      // `on`, not `once` (a wrapper per listener): `done` removes them all at the first that fires.
      response.on('data', onData).on('end', onEnd).on('error', onFailure).on('close', onClose);
    });
  }

  async discard(): Promise<void> {
    await this.body?.cancel().catch(() => {});
  }
}

/**
 * The response body as a web stream, chunk by chunk as node reads it (after
 * any `held` already read, or the `failure` already met); the socket is
 * paused while the reader is behind (backpressure), and cancelling destroys
 * the response (and its connection) instead of reading what nobody wants.
 */
function bodyStream(response: IncomingMessage, held: Buffer[], failure: Error | undefined): ReadableStream<Uint8Array> {
  // Events can still arrive once the reader cancelled (an 'end' already queued): the controller is then closed.
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of held) controller.enqueue(chunk);
      // Already broken off: the error comes once what was held has been read (erroring now would drop it).
      if (failure) {
        open = false;
        return;
      }
      response.on('data', (chunk: Buffer) => {
        if (!open) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) response.pause();
      });
      response.once('end', () => {
        if (open) controller.close();
        open = false;
      });
      response.once('error', (error) => {
        if (open) controller.error(error);
        open = false;
      });
      // The connection closed before the body was complete (upstream crashed mid-stream).
      response.once('close', () => {
        if (open && !response.complete) controller.error(new Error('the upstream closed the connection before the response was complete'));
        open = false;
      });
    },
    pull(controller) {
      if (failure) return controller.error(failure);
      response.resume();
    },
    cancel() {
      open = false;
      response.destroy();
    },
  });
}
