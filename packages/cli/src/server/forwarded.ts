/**
 * X-Forwarded-For / -Proto / -Host decide the client IP the rate limits
 * count and the scheme the server believes it is reached over. Anyone can
 * send them, so unless `--trust-proxy` says a proxy in front sets them,
 * they are replaced by what the socket says. The app can then always read
 * the client address from X-Forwarded-For.
 */
import type { IncomingMessage } from 'node:http';

export function normaliseForwarded(request: Request, incoming: IncomingMessage | undefined, trustProxy: boolean, tls: boolean): Request {
  const peer = incoming?.socket?.remoteAddress ?? '';
  const headers = new Headers(request.headers);
  if (!trustProxy) {
    headers.delete('x-forwarded-host');
    headers.delete('forwarded');
    headers.set('x-forwarded-for', peer);
    headers.set('x-forwarded-proto', tls ? 'https' : 'http');
  } else {
    if (!headers.has('x-forwarded-for')) headers.set('x-forwarded-for', peer);
    if (!headers.has('x-forwarded-proto')) headers.set('x-forwarded-proto', tls ? 'https' : 'http');
  }
  return new Request(request, { headers });
}
