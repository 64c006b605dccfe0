/**
 * Serving the gateway from node:http with a shorter way for its hot path,
 * POST to an upstream's MCP endpoint. @hono/node-server (the `fallback`,
 * which answers everything else) turns the request body into a web stream
 * read chunk by chunk, and writes a streamed answer as headers, each chunk
 * and the end in separate socket writes; per call that cost more CPU than
 * the guard and the policy together. Here:
 *
 * - the body (bounded by its Content-Length, at most the endpoint's body
 *   cap) is read from the socket and parsed once, and the guard receives
 *   it parsed (`parsedBody`, as behind express.json()); a body that is not
 *   JSON is handed to the guard as bytes, so the answer is the guard's own;
 * - the guard and the gateway read the request's URL, method and headers
 *   as @hono/node-server's web Request would give them (node-request.ts),
 *   without one being built: every check runs unchanged in the gateway;
 * - an HTTP upstream's answer that ends within HOLD_MS of its headers (a
 *   JSON answer, or an SSE answer whose stream ends with its result) is
 *   held whole as bytes, settled by the guard without web streams, and
 *   leaves in one write with a Content-Length;
 * - any other answer that is complete within the current turn of the event
 *   loop leaves the same way; one that is not (progress events, a result
 *   still coming) is streamed, each event written as it arrives.
 *
 * Anything else (other methods and paths, no Content-Length, a body over
 * the cap, a URL or Host @hono/node-server would refuse) goes to
 * `fallback` untouched.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parseJsonBody, pathOf, type WholeAnswer } from '@gatehouse-auth/mcp';
import type { AnswerInfo, Gateway } from './gateway.ts';
import { nodeRequestHead } from './node-request.ts';
import { MAX_HELD_BYTES } from './upstream.ts';

/**
 * How long an upstream's answer may take to end after its headers and still leave as one write. An
 * upstream commonly writes the headers, the events and the end of its stream separately (server-everything,
 * through @hono/node-server, flushes the headers when the result is not ready within a timer tick), each
 * a read here; streamed on, each was a write to the client too. Only the start of an answer still
 * streaming after it (progress before a slow result) waits this long.
 */
const HOLD_MS = 2;

export function gatewayRequestListener(gateway: Gateway, fallback: RequestListener): RequestListener {
  return (incoming, outgoing) => {
    const target = fastPostTarget(gateway, incoming);
    if (!target) return fallback(incoming, outgoing);
    void servePost(gateway, incoming, outgoing, target.url);
  };
}

/** The request's URL when it is a POST this listener serves itself, else undefined. */
function fastPostTarget(gateway: Gateway, incoming: IncomingMessage): { url: string } | undefined {
  if (incoming.method !== 'POST') return undefined;
  const target = incoming.url ?? '';
  // Absolute-form targets and backslashes: @hono/node-server's own rules apply.
  if (target[0] !== '/' || target.includes('\\')) return undefined;
  const host = incoming.headers.host;
  if (!host) return undefined;
  const href = hrefOf(`${(incoming.socket as TLSSocket).encrypted ? 'https' : 'http'}://${host}`, host, target);
  if (href === undefined) return undefined;
  const limit = gateway.bodyLimit(pathOf(href));
  if (limit === undefined) return undefined;
  const declared = incoming.headers['content-length'];
  if (declared === undefined || !/^\d+$/.test(declared) || Number(declared) > limit || incoming.headers['transfer-encoding'] !== undefined) return undefined;
  return { url: href };
}

/** The URLs of requests served lately, by origin and target: clients send the same few on every call. */
const hrefs = new Map<string, string | null>();
const MAX_REMEMBERED_URLS = 1000;
const MAX_REMEMBERED_URL = 512;

/** The request's URL as @hono/node-server makes it, or undefined when it would refuse it; parsed once per origin and target. */
function hrefOf(origin: string, host: string, target: string): string | undefined {
  const key = `${origin}${target}`;
  let href = hrefs.get(key);
  if (href === undefined) {
    href = null;
    try {
      const url = new URL(key);
      // The Host check @hono/node-server makes (a Host with a path or credentials in it is refused there).
      if (url.hostname.length === host.length || url.hostname === host.replace(/:\d+$/, '')) href = url.href;
    } catch {
      // not a URL: @hono/node-server answers it
    }
    // Bounded in count and size: the targets are the client's to choose.
    if (key.length <= MAX_REMEMBERED_URL) {
      if (hrefs.size >= MAX_REMEMBERED_URLS) hrefs.clear();
      hrefs.set(key, href);
    }
  }
  return href ?? undefined;
}

async function servePost(gateway: Gateway, incoming: IncomingMessage, outgoing: ServerResponse, url: string): Promise<void> {
  const bytes = await readBody(incoming);
  if (!bytes) return; // the client went away mid-body
  const parsed = parseJsonBody(bytes.toString('utf8'));
  // Not JSON: the guard answers it as its own reader would (a parse error, or a challenge first when no token came).
  const ip = incoming.socket.remoteAddress;
  const info: AnswerInfo = parsed.ok ? { ip, parsedBody: parsed.value } : { ip, readBody: async () => parsed };
  let response: Response | { whole: WholeAnswer };
  try {
    response = await gateway.answer(nodeRequestHead(url, incoming), info, HOLD_MS);
  } catch {
    // What @hono/node-server answers when the handler throws.
    response = new Response(null, { status: 500 });
  }
  if ('whole' in response) writeWhole(response.whole, outgoing);
  else await writeResponse(response, outgoing);
}

/** An answer held whole: headers and body in one write. */
function writeWhole({ status, headers, body }: WholeAnswer, outgoing: ServerResponse): void {
  if (outgoing.destroyed) return;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  outgoing.writeHead(status, { 'content-type': 'text/plain; charset=UTF-8', ...headers, 'content-length': String(bytes.byteLength) });
  outgoing.end(bytes);
}

function readBody(incoming: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    // `on`, not `once` (a wrapper per listener): each comes at most once per request, and a promise settles once.
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    incoming.on('error', () => resolve(undefined));
    incoming.on('close', () => {
      if (!incoming.complete) resolve(undefined);
    });
  });
}

/** Response headers as node writes them (set-cookie kept apart; text/plain when none is named, as @hono/node-server does). */
function outgoingHeaders(headers: Headers): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const [name, value] of headers) if (name !== 'set-cookie') record[name] = value;
  const cookies = headers.getSetCookie();
  if (cookies.length > 0) record['set-cookie'] = cookies;
  record['content-type'] ??= 'text/plain; charset=UTF-8';
  return record;
}

const NEXT_TURN = Symbol('next turn');
const nextTurn = () => new Promise<typeof NEXT_TURN>((resolve) => setImmediate(resolve, NEXT_TURN));

async function writeResponse(response: Response, outgoing: ServerResponse): Promise<void> {
  const headers = outgoingHeaders(response.headers);
  if (!response.body) {
    outgoing.writeHead(response.status, headers);
    outgoing.end();
    return;
  }
  const reader = response.body.getReader();
  // The client went away: cancelling reaches the upstream (its connection, or the stdio session's stream).
  const cancel = () => void reader.cancel().catch(() => {});
  // It may have gone while the gateway was deciding.
  if (outgoing.destroyed) return cancel();
  outgoing.once('close', cancel);
  try {
    const held: Uint8Array[] = [];
    let size = 0;
    let pending = reader.read();
    for (;;) {
      const next = await Promise.race([pending, nextTurn()]);
      if (next === NEXT_TURN) break;
      if (next.done) {
        // Complete at once: headers and body in one write.
        if (!('content-length' in headers)) headers['content-length'] = String(size);
        if (outgoing.destroyed) return cancel();
        outgoing.writeHead(response.status, headers);
        outgoing.end(held.length === 1 ? held[0] : Buffer.concat(held));
        return;
      }
      held.push(next.value);
      size += next.value.byteLength;
      pending = reader.read();
      if (size > MAX_HELD_BYTES) break;
    }
    // Still streaming: what is held goes now, the rest as it arrives.
    if (outgoing.destroyed) return cancel();
    outgoing.writeHead(response.status, headers);
    if (held.length === 0) outgoing.flushHeaders();
    for (const chunk of held) outgoing.write(chunk);
    for (;;) {
      const { done, value } = await pending;
      if (done) break;
      if (outgoing.destroyed) return cancel();
      if (!outgoing.write(value)) await new Promise((resolve) => outgoing.once('drain', resolve).once('close', resolve));
      pending = reader.read();
    }
    if (!outgoing.destroyed) outgoing.end();
  } catch (error) {
    outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    outgoing.off('close', cancel);
  }
}
