/**
 * The introspection request over node:http(s) with a keep-alive agent,
 * used when the caller gives no `fetch` of its own. An introspection is a
 * small form POST answered by a small JSON document; through the global
 * `fetch` (undici) each one also paid for WHATWG Request, Headers, streams
 * and AbortSignal objects: about 16% of an MCP server's CPU with 10,000
 * distinct callers (docs/sdk.md, Performance). Connections are reused as
 * with fetch; the answer is capped (a misbehaving endpoint cannot make the
 * server buffer without limit) and the request is timed out.
 *
 * The request head is rendered from a flat [name, value, ...] header list
 * made once per endpoint (Host and the verifier's fixed headers), plus the
 * body's length: given an object, node:http validates and stores every
 * header anew on each request (setHeader), a per-miss cost paid 10,000
 * times when 10,000 callers arrive (docs/sdk.md, Performance).
 *
 * node:http is imported on first use: where a runtime has none (a web-only
 * one), `post` rejects with NoNodeHttpError and the verifier goes on with
 * `fetch`.
 */
import type { Agent, IncomingMessage, RequestOptions, request as RequestFn } from 'node:http';

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

/** This runtime has no node:http(s): use fetch. */
export class NoNodeHttpError extends Error {}

interface Transport {
  agent: Agent;
  send: typeof RequestFn;
  /** The endpoint as request options, made once (node:http would make them of the URL on every request). */
  target: RequestOptions;
}

/** `headers`: the same for every request (authorization, content type, accept); Host and Content-Length are added here. */
export function formPoster(endpoint: string, headers: Record<string, string>): FormPoster {
  const url = new URL(endpoint);
  const https = url.protocol === 'https:';
  // Host as node:http would name it (URL.host: the port only when not the scheme's default, IPv6 in brackets).
  const fixedHeaders = ['host', url.host, ...Object.entries(headers).flat()];
  let transport: Promise<Transport> | undefined;
  let loaded: Transport | undefined;
  const load = (): Promise<Transport> =>
    (transport ??= Promise.all([https ? import('node:https') : import('node:http'), import('node:url')]).then(
      ([http, { urlToHttpOptions }]) => (loaded = { agent: new http.Agent({ keepAlive: true }), send: http.request, target: { ...urlToHttpOptions(url), method: 'POST' } }),
      (error: unknown) => {
        throw new NoNodeHttpError('node:http is not available', { cause: error });
      },
    ));
  return {
    post: async (body, timeoutMs) => {
      const { agent, send, target } = loaded ?? (await load());
      return new Promise<FormAnswer>((resolve, reject) => {
        const head = [...fixedHeaders, 'content-length', String(Buffer.byteLength(body))];
        const request = send({ ...target, agent, headers: head }, (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              request.destroy(new Error(`introspection answer larger than ${MAX_ANSWER_BYTES} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => {
            clearTimeout(timer);
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          });
          response.on('error', fail);
        });
        const timer = setTimeout(() => request.destroy(new Error(`introspection timed out after ${timeoutMs} ms`)), timeoutMs);
        function fail(error: Error): void {
          clearTimeout(timer);
          reject(error);
        }
        request.on('error', fail);
        request.end(body);
      });
    },
    close: () => loaded?.agent.destroy(),
  };
}
