/**
 * GET /revocations/stream: Server-Sent Events that let resource servers
 * drop cached tokens the moment access is taken away, instead of waiting for
 * expiry. Callers are confidential clients (client_secret_basic). The
 * stream opens with `event: ready`, then one `event: revocation` per
 * forwarded event (and `event: ready` again whenever events may have been
 * missed, which makes the SDK drop its cache), and a `: ping` comment
 * every revocationStreamPingMs so idle proxies keep the connection open.
 */
import type { Hono } from 'hono';
import type { AppEnv, ServerContext } from '../context.ts';
import { oauthErrorResponse } from '../http/oauth-response.ts';
import { authenticateConfidential } from '../token/authenticate.ts';
import { sseFrame, toRevocationMessage } from './revocation-event.ts';

export { toRevocationMessage, FORWARDED_TYPES, type RevocationMessage } from './revocation-event.ts';

const encoder = new TextEncoder();

function revocationStream(ctx: ServerContext, clientId: string, signal: AbortSignal): ReadableStream<Uint8Array> {
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
      const unsubscribe = ctx.events.subscribe((event) => {
        const message = toRevocationMessage(event);
        if (message) send(sseFrame('revocation', message));
        if (event.type === 'client.disabled' && event.clientId === clientId) {
          stop();
          try {
            controller.close();
          } catch {
            // already closed by the reader
          }
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
      const client = await authenticateConfidential(ctx, c.req.raw.headers, {});
      return new Response(revocationStream(ctx, client.id, c.req.raw.signal), {
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
