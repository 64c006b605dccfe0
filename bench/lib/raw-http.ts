/**
 * A bare HTTP/1.1 client for load generators: one prebuilt request, sent
 * as is over keep-alive connections, and just enough response parsing to
 * know the status and where the answer ends (Content-Length, chunked, or
 * the connection closing). node:http's client costs a Node load generator
 * about as much CPU per request as the server it measures (a ClientRequest,
 * an IncomingMessage, header objects and agent bookkeeping per request);
 * on a two-core machine that CPU is taken from the servers under test.
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface RawHttpClient {
  /** Sends the request on an idle connection (or a new one); resolves with the status, 0 when the connection failed. */
  send(): Promise<number>;
  /** Connections opened so far (a request finding none idle opens one). */
  readonly opened: number;
  close(): void;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** The HTTP/1.1 request bytes for `url`, with Host and Content-Length. */
export function requestBytes(url: string, method: string, headers: Record<string, string>, body?: string): Buffer {
  const target = new URL(url);
  const payload = body === undefined ? undefined : Buffer.from(body);
  const lines = [`${method} ${target.pathname}${target.search} HTTP/1.1`, `host: ${target.host}`];
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() !== 'host' && name.toLowerCase() !== 'content-length') lines.push(`${name}: ${value}`);
  if (payload) lines.push(`content-length: ${payload.byteLength}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return payload ? Buffer.concat([head, payload]) : head;
}

/**
 * Where the response at the start of `data` ends: its byte length and
 * status, `undefined` while incomplete, `'eof'` when it ends with the
 * connection (no length and not chunked).
 */
export function responseEnd(data: Buffer): { length: number; status: number; close: boolean; keepAliveSeconds?: number } | undefined | { eof: true; status: number } {
  const headEnd = data.indexOf(CRLF_CRLF);
  if (headEnd < 0) return undefined;
  const head = data.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const close = /\r\nconnection:[ \t]*close/i.test(head);
  const hint = /\r\nkeep-alive:[ \t]*timeout=(\d+)/i.exec(head);
  const keepAlive = hint ? { keepAliveSeconds: Number(hint[1]) } : {};
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return { length: headEnd + 4, status, close, ...keepAlive };
  const declared = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
  if (declared) {
    const length = headEnd + 4 + Number(declared[1]);
    return data.byteLength >= length ? { length, status, close, ...keepAlive } : undefined;
  }
  if (!/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) return { eof: true, status };
  let at = headEnd + 4;
  for (;;) {
    const lineEnd = data.indexOf(CRLF, at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(data.toString('latin1', at, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size');
    if (size === 0) {
      // The last chunk, then trailers (usually none) up to an empty line.
      const trailersEnd = data.indexOf(CRLF_CRLF, lineEnd);
      return trailersEnd < 0 ? undefined : { length: trailersEnd + 4, status, close, ...keepAlive };
    }
    at = lineEnd + 2 + size + 2;
    if (data.byteLength < at) return undefined;
  }
}

interface Connection {
  socket: Socket;
  pending: Buffer;
  done?: (status: number) => void;
  /** When the server may close it while idle (its Keep-Alive hint, less a second), as performance.now(). */
  reusableUntil: number;
}

/**
 * What node:http's agent does with a server's `Keep-Alive: timeout=N` hint: an idle connection is
 * not used again within a second of the server's timeout. A request written on a connection the
 * server is closing is lost (a reset), which the bench would count against the server.
 */
const KEEP_ALIVE_MARGIN_MS = 1000;

export function openRawHttpClient(url: string, request: Buffer): RawHttpClient {
  const target = new URL(url);
  const port = Number(target.port || 80);
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  let opened = 0;
  const finish = (connection: Connection, status: number, reusable: boolean, keepAliveSeconds?: number) => {
    const done = connection.done;
    connection.done = undefined;
    connection.pending = Buffer.alloc(0);
    if (reusable) {
      connection.reusableUntil = keepAliveSeconds === undefined ? Number.POSITIVE_INFINITY : performance.now() + keepAliveSeconds * 1000 - KEEP_ALIVE_MARGIN_MS;
      idle.push(connection);
    } else {
      all.delete(connection);
      connection.socket.destroy();
    }
    done?.(status);
  };
  const open = (): Connection => {
    opened++;
    const socket = connect({ host: target.hostname, port, noDelay: true });
    const connection: Connection = { socket, pending: Buffer.alloc(0), reusableUntil: Number.POSITIVE_INFINITY };
    all.add(connection);
    socket.on('data', (chunk: Buffer) => {
      connection.pending = connection.pending.byteLength === 0 ? chunk : Buffer.concat([connection.pending, chunk]);
      let end: ReturnType<typeof responseEnd>;
      try {
        end = responseEnd(connection.pending);
      } catch {
        return finish(connection, 0, false);
      }
      if (!end || 'eof' in end) return;
      finish(connection, end.status, !end.close && end.length === connection.pending.byteLength, end.keepAliveSeconds);
    });
    const gone = () => {
      const end = (() => {
        try {
          return responseEnd(connection.pending);
        } catch {
          return undefined;
        }
      })();
      if (connection.done) finish(connection, end && 'eof' in end ? end.status : 0, false);
      all.delete(connection);
      const at = idle.indexOf(connection);
      if (at >= 0) idle.splice(at, 1);
    };
    socket.on('error', gone);
    socket.on('close', gone);
    return connection;
  };
  return {
    get opened() {
      return opened;
    },
    send: () =>
      new Promise<number>((resolve) => {
        let connection = idle.pop();
        const now = performance.now();
        while (connection && connection.reusableUntil <= now) {
          all.delete(connection);
          connection.socket.destroy();
          connection = idle.pop();
        }
        connection ??= open();
        connection.done = resolve;
        connection.socket.write(request);
      }),
    close: () => {
      for (const connection of all) connection.socket.destroy();
      all.clear();
      idle.length = 0;
    },
  };
}
