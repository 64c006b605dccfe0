/**
 * The introspection request over a keep-alive connection of our own (node:net,
 * node:tls for https), used when the caller gives no `fetch` of its own. An
 * introspection is a small form POST answered by a small JSON document.
 * Through the global `fetch` (undici) each one also paid for WHATWG Request,
 * Headers, streams and AbortSignal objects; through node:http, for a
 * ClientRequest, an IncomingMessage and the agent's bookkeeping: about 50 µs
 * of CPU per introspection, paid on every verification-cache miss (10,000
 * callers make thousands: docs/sdk.md, Performance). Here the request is one
 * write of a head rendered once per endpoint plus the body's length and the
 * body, and the answer is read by a small HTTP/1.1 parser: status line,
 * Content-Length or chunked body, `Connection: close`, 1xx heads skipped.
 *
 * Connections are reused as node:http's keep-alive agent reuses them (an idle
 * one does not keep the process alive); the answer is capped (a misbehaving
 * endpoint cannot make the server buffer without limit) and the request is
 * timed out. Anything the parser does not expect ends that connection and
 * fails that request (the verifier then fails closed).
 *
 * node:net is imported on first use: where a runtime has none (a web-only
 * one), `post` rejects with NoNodeHttpError and the verifier goes on with
 * `fetch`.
 */
import type { Socket } from 'node:net';

export interface FormAnswer {
  status: number;
  body: string;
}

export interface FormPoster {
  /** POSTs `body` with the poster's headers and its Content-Length. */
  post(body: string, timeoutMs: number): Promise<FormAnswer>;
  close(): void;
}

/** Larger than any introspection answer; a bigger body is refused, not buffered. */
export const MAX_ANSWER_BYTES = 1024 * 1024;
/** Larger than any answer's head (status line and headers). */
const MAX_HEAD_BYTES = 64 * 1024;

/** This runtime has no node:net: use fetch. */
export class NoNodeHttpError extends Error {}

/** `headers`: the same for every request (authorization, content type, accept); Host, Connection and Content-Length are added here. */
export function formPoster(endpoint: string, headers: Record<string, string>): FormPoster {
  const url = new URL(endpoint);
  const https = url.protocol === 'https:';
  const port = Number(url.port) || (https ? 443 : 80);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // Host as node:http names it (URL.host: the port only when not the scheme's default, IPv6 in brackets).
  let fixed = `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n`;
  for (const [name, value] of Object.entries(headers)) fixed += `${name}: ${value}\r\n`;
  fixed += 'content-length: ';
  const idle: Connection[] = [];
  let open: ((onClose: (connection: Connection) => void) => Connection) | undefined;
  let loading: Promise<void> | undefined;
  const load = (): Promise<void> =>
    (loading ??= Promise.all([import('node:net'), https ? import('node:tls') : undefined]).then(
      ([net, tls]) => {
        // No SNI for an IP address (RFC 6066): the certificate is checked against the IP itself.
        const tlsOptions = { host: hostname, port, ALPNProtocols: ['http/1.1'], ...(net.isIP(hostname) ? {} : { servername: hostname }) };
        open = (onClose) => new Connection(tls ? tls.connect(tlsOptions) : net.connect({ host: hostname, port, noDelay: true }), onClose);
      },
      (error: unknown) => {
        throw new NoNodeHttpError('node:net is not available', { cause: error });
      },
    ));
  const forget = (connection: Connection) => {
    const at = idle.indexOf(connection);
    if (at >= 0) idle.splice(at, 1);
  };
  return {
    post: async (body, timeoutMs) => {
      if (!open) await load();
      const connection = idle.pop() ?? open!(forget);
      const answer = await connection.send(`${fixed}${Buffer.byteLength(body)}\r\n\r\n${body}`, timeoutMs);
      if (connection.reusable) idle.push(connection);
      return answer;
    },
    close: () => {
      for (const connection of idle.splice(0)) connection.destroy();
    },
  };
}

type Phase = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'trailers' | 'until-close';

/** One keep-alive connection: one request at a time, its answer parsed as it arrives. */
class Connection {
  reusable = false;
  private pending: { resolve: (answer: FormAnswer) => void; reject: (error: Error) => void; timer: ReturnType<typeof setTimeout> } | undefined;
  private buffer: Buffer | undefined;
  private phase: Phase = 'head';
  private status = 0;
  private remaining = 0;
  private keepAlive = true;
  private chunks: Buffer[] = [];
  private size = 0;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly onClose: (connection: Connection) => void,
  ) {
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => {
      this.closed = true;
      this.reusable = false;
      onClose(this);
      if (this.phase === 'until-close' && this.pending) this.finish();
      else this.fail(new Error('the introspection endpoint closed the connection'));
    });
  }

  send(request: string, timeoutMs: number): Promise<FormAnswer> {
    this.reusable = false;
    this.phase = 'head';
    this.chunks = [];
    this.size = 0;
    this.socket.ref();
    return new Promise<FormAnswer>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`introspection timed out after ${timeoutMs} ms`)), timeoutMs);
      this.pending = { resolve, reject, timer };
      if (this.closed) this.fail(new Error('the introspection endpoint closed the connection'));
      else this.socket.write(request);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    this.reusable = false;
    this.socket.destroy();
    if (!pending) return;
    clearTimeout(pending.timer);
    pending.reject(error);
  }

  private finish(): void {
    const pending = this.pending!;
    this.pending = undefined;
    clearTimeout(pending.timer);
    const body = this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    // Bytes past the answer were never asked for: that connection is not trusted again.
    if (this.keepAlive && !this.closed && (this.buffer === undefined || this.buffer.length === 0)) {
      this.reusable = true;
      this.socket.unref();
    } else this.socket.destroy();
    this.buffer = undefined;
    pending.resolve({ status: this.status, body });
  }

  private take(bytes: number): void {
    if (bytes === 0) return;
    this.size += bytes;
    if (this.size > MAX_ANSWER_BYTES) throw new Error(`introspection answer larger than ${MAX_ANSWER_BYTES} bytes`);
    this.chunks.push(this.buffer!.subarray(0, bytes));
    this.buffer = this.buffer!.subarray(bytes);
  }

  private receive(data: Buffer): void {
    if (!this.pending) return this.fail(new Error('the introspection endpoint sent bytes nobody asked for'));
    this.buffer = this.buffer && this.buffer.length > 0 ? Buffer.concat([this.buffer, data]) : data;
    try {
      while (this.pending && this.step());
    } catch (error) {
      this.fail(error as Error);
    }
  }

  /** Parses what it can; false when it needs more bytes. */
  private step(): boolean {
    const buffer = this.buffer!;
    switch (this.phase) {
      case 'head': {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buffer.length > MAX_HEAD_BYTES) throw new Error('introspection answer head too large');
          return false;
        }
        this.buffer = buffer.subarray(end + 4);
        this.readHead(buffer.toString('latin1', 0, end));
        return true;
      }
      case 'length': {
        const bytes = Math.min(this.remaining, buffer.length);
        this.take(bytes);
        this.remaining -= bytes;
        if (this.remaining === 0) this.finish();
        return this.remaining === 0;
      }
      case 'chunk-size': {
        const end = buffer.indexOf('\r\n');
        if (end < 0) {
          if (buffer.length > 1024) throw new Error('malformed chunk size');
          return false;
        }
        const line = buffer.toString('latin1', 0, end);
        const size = Number.parseInt(line, 16);
        if (!/^[0-9a-fA-F]+/.test(line) || !Number.isFinite(size)) throw new Error('malformed chunk size');
        this.buffer = buffer.subarray(end + 2);
        this.remaining = size;
        this.phase = size === 0 ? 'trailers' : 'chunk-data';
        return true;
      }
      case 'chunk-data': {
        if (this.remaining > 0) {
          const bytes = Math.min(this.remaining, buffer.length);
          this.take(bytes);
          this.remaining -= bytes;
          if (this.remaining > 0) return false;
        }
        if (this.buffer!.length < 2) return false;
        if (this.buffer![0] !== 13 || this.buffer![1] !== 10) throw new Error('malformed chunk');
        this.buffer = this.buffer!.subarray(2);
        this.phase = 'chunk-size';
        return true;
      }
      case 'trailers': {
        const end = buffer.indexOf('\r\n');
        if (end < 0) return false;
        this.buffer = buffer.subarray(end + 2);
        if (end === 0) this.finish();
        return end === 0;
      }
      case 'until-close': {
        this.take(buffer.length);
        return false;
      }
    }
  }

  private readHead(head: string): void {
    const match = /^HTTP\/1\.([01]) (\d{3})/.exec(head);
    if (!match) throw new Error('not an HTTP/1.1 answer');
    const status = Number(match[2]);
    // Only three fields matter; found by searching the lower-cased head, not by splitting every line.
    const lower = head.toLowerCase();
    let length: number | undefined;
    for (const value of fieldValues(lower, 'content-length')) {
      if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value))) throw new Error('malformed Content-Length');
      length = Number(value);
    }
    const chunked = /(?:^|,)\s*chunked$/.test(fieldValues(lower, 'transfer-encoding').join(','));
    const connection = fieldValues(lower, 'connection').join(',');
    // An interim answer (100 Continue, 103 Early Hints): the real one follows.
    if (status >= 100 && status < 200) return;
    this.status = status;
    this.keepAlive = match[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    if (status === 204 || status === 304) {
      this.phase = 'length';
      this.remaining = 0;
      this.finish();
    } else if (chunked) this.phase = 'chunk-size';
    else if (length !== undefined) {
      if (length > MAX_ANSWER_BYTES) throw new Error(`introspection answer larger than ${MAX_ANSWER_BYTES} bytes`);
      this.phase = 'length';
      this.remaining = length;
      if (length === 0) this.finish();
    } else {
      this.phase = 'until-close';
      this.keepAlive = false;
    }
  }
}

/** The values of every `name:` field of a lower-cased head (after its status line), trimmed. */
function fieldValues(lowerHead: string, name: string): string[] {
  const values: string[] = [];
  const key = `\r\n${name}:`;
  for (let at = lowerHead.indexOf(key); at >= 0; at = lowerHead.indexOf(key, at + key.length)) {
    const start = at + key.length;
    const end = lowerHead.indexOf('\r\n', start);
    values.push(lowerHead.slice(start, end < 0 ? undefined : end).trim());
  }
  return values;
}
