/**
 * GET /revocations/stream: Server-Sent Events that let resource servers
 * drop cached tokens the moment access is taken away, instead of waiting for
 * expiry. Callers are registered resource servers (confidential clients the
 * config names in `resource_server_for`; never dynamically registered ones),
 * and each receives only the events of the resources and orgs it serves
 * (audience.ts). A client holds at most `revocationStreamsPerClient` open
 * streams in a process; one more is 429. The stream opens with
 * `event: ready`, then one `event: revocation` per forwarded event (and
 * `event: ready` again whenever events may have been missed, which makes the
 * SDK drop its cache), and a `: ping` comment every revocationStreamPingMs so
 * idle proxies keep the connection open.
 */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthErrorResponse } from '../http/oauth-response.ts';
import { OAuthError, type Client } from '@gatehouse-auth/core';
import { authenticateResourceServer } from '../token/authenticate.ts';
import { requesterAddress } from '../session/client-ip.ts';
import { sseFrame, toRevocationMessage } from './revocation-event.ts';
import { audienceOf, eventConcern, visibleTo } from './audience.ts';

export { toRevocationMessage, FORWARDED_TYPES, type RevocationMessage } from './revocation-event.ts';

const encoder = new TextEncoder();

/** Open streams per client id, per server context (one process). */
const openStreams = new WeakMap<ServerContext, Map<string, number>>();

function streamCounts(ctx: ServerContext): Map<string, number> {
  let counts = openStreams.get(ctx);
  if (!counts) openStreams.set(ctx, (counts = new Map()));
  return counts;
}

/** Takes one of the client's stream places, or throws 429; the returned function gives it back (once). */
function takeStreamPlace(ctx: ServerContext, clientId: string): () => void {
  const counts = streamCounts(ctx);
  const open = counts.get(clientId) ?? 0;
  if (open >= ctx.options.revocationStreamsPerClient) {
    throw new OAuthError('temporarily_unavailable', 'Too many open revocation streams for this client; close one first.', {
      status: 429,
      headers: { 'retry-after': '30' },
      detail: `${open} streams open for ${clientId}`,
    });
  }
  counts.set(clientId, open + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (counts.get(clientId) ?? 1) - 1;
    if (left <= 0) counts.delete(clientId);
    else counts.set(clientId, left);
  };
}

function revocationStream(ctx: ServerContext, client: Client, signal: AbortSignal, release: () => void): ReadableStream<Uint8Array> {
  const clientId = client.id;
  let stop = (): void => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string): void => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      // Filtering may read the store; a chain per stream keeps its events in order without making publishers wait.
      let queue: Promise<void> = Promise.resolve();
      const unsubscribe = ctx.events.subscribe((event) => {
        const message = toRevocationMessage(event);
        if (message) {
          const concern = eventConcern(ctx, event);
          queue = queue
            .then(async () => {
              if (visibleTo(await concern, await audienceOf(ctx, client))) send(sseFrame('revocation', message));
            })
            .catch((error: unknown) => ctx.log('error', 'revocation stream: event not forwarded', { type: event.type, error: String(error) }));
        }
        // A disabled, changed or deleted subscriber is cut off (after its queued events): a changed one reconnects under its new rights.
        if ((event.type === 'client.disabled' || event.type === 'client.updated' || event.type === 'client.deleted') && event.clientId === clientId) {
          queue = queue.then(() => {
            stop();
            try {
              controller.close();
            } catch {
              // already closed by the reader
            }
          });
        }
      });
      // Events may have been missed (this process's fan-out connection was down): a second `ready`
      // tells the resource server to forget everything it cached, as it does on a reconnect.
      const unresync = ctx.events.onResync?.(() => send(sseFrame('ready', { at: ctx.clock.now(), resync: true })));
      const ping = setInterval(() => send(': ping\n\n'), ctx.options.revocationStreamPingMs);
      ping.unref?.();
      let stopped = false;
      stop = () => {
        if (stopped) return;
        stopped = true;
        release();
        clearInterval(ping);
        unsubscribe();
        unresync?.();
      };
      signal.addEventListener('abort', () => stop(), { once: true });
      send(sseFrame('ready', { at: ctx.clock.now() }));
    },
    cancel() {
      stop();
    },
  });
}

export function mountRevocationStream(app: Hono<AppEnv>, ctx: ServerContext): void {
  app.get('/revocations/stream', async (c) => {
    try {
      const client = await authenticateResourceServer(ctx, c.req.raw.headers, {}, requesterAddress(c.req.raw.headers.get('x-forwarded-for'), c.env));
      const release = takeStreamPlace(ctx, client.id);
      return new Response(revocationStream(ctx, client, c.req.raw.signal, release), {
        headers: {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          'x-accel-buffering': 'no',
        },
      });
    } catch (error) {
      return oauthErrorResponse(error, (message, fields) => ctx.log('error', message, fields));
    }
  });
}
