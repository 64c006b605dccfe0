/**
 * The introspection request over undici's connection pool, used when the
 * caller gives no `fetch` of its own. An introspection is a small form POST
 * answered by a small JSON document. Through the global `fetch` each one
 * also paid for WHATWG Request, Headers, streams and AbortSignal objects;
 * through node:http, for a ClientRequest, an IncomingMessage and the agent's
 * bookkeeping: about 50 µs of CPU per introspection, paid on every
 * verification-cache miss (10,000 callers make thousands: docs/sdk.md,
 * Performance). undici's `Pool.request` (the HTTP/1.1 client behind Node's
 * own fetch, without the fetch layer) takes the same headers each time and
 * parses the answer natively; its idle connections do not keep the process
 * alive.
 *
 * The answer is capped (a misbehaving endpoint cannot make the server
 * buffer without limit) and the request is timed out; any failure fails that
 * request, and the verifier fails closed.
 *
 * undici is imported on first use: where a runtime cannot load it (a web-only
 * one), `post` rejects with NoNodeHttpError and the verifier goes on with
 * `fetch`.
 */
import type { Pool } from 'undici';

export interface FormAnswer {
  status: number;
  body: string;
}

export interface FormPoster {
  /** POSTs `body` with the poster's headers. */
  post(body: string, timeoutMs: number): Promise<FormAnswer>;
  close(): void;
}

/** Larger than any introspection answer; a bigger body is refused, not buffered. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** This runtime cannot load undici (no node:net): use fetch. */
export class NoNodeHttpError extends Error {}

/** `headers`: the same for every request (authorization, content type, accept). */
export function formPoster(endpoint: string, headers: Record<string, string>): FormPoster {
  const url = new URL(endpoint);
  const path = `${url.pathname}${url.search}`;
  let pool: Pool | undefined;
  let loading: Promise<Pool> | undefined;
  let closed = false;
  const load = (): Promise<Pool> =>
    (loading ??= import('undici').then(
      ({ Pool }) => {
        pool = new Pool(url.origin);
        if (closed) void pool.destroy();
        return pool;
      },
      (error: unknown) => {
        throw new NoNodeHttpError('undici (node:net) is not available', { cause: error });
      },
    ));
  return {
    async post(body, timeoutMs) {
      const client = pool ?? (await load());
      const answer = await client.request({ path, method: 'POST', headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      const declared = Number(answer.headers['content-length']);
      if (declared > MAX_ANSWER_BYTES) {
        answer.body.destroy();
        throw new Error(`the introspection answer is larger than ${MAX_ANSWER_BYTES} bytes`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        size += chunk.byteLength;
        if (size > MAX_ANSWER_BYTES) {
          answer.body.destroy();
          throw new Error(`the introspection answer is larger than ${MAX_ANSWER_BYTES} bytes`);
        }
        chunks.push(chunk);
      }
      return { status: answer.statusCode, body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') };
    },
    close() {
      closed = true;
      void pool?.destroy();
    },
  };
}
