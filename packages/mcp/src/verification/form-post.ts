/**
 * The introspection request over node:http(s) with a keep-alive agent,
 * used when the caller gives no `fetch` of its own. An introspection is a
 * small form POST answered by a small JSON document; through the global
 * `fetch` (undici) each one also paid for WHATWG Request, Headers, streams
 * and AbortSignal objects: about 16% of an MCP server's CPU with 10,000
 * distinct callers (docs/sdk.md, Performance). Connections are reused as
 * with fetch; the answer is capped (a misbehaving endpoint cannot make the
 * server buffer without limit) and the request is timed out.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface FormAnswer {
  status: number;
  body: string;
}

export interface FormPoster {
  post(headers: Record<string, string>, body: string, timeoutMs: number): Promise<FormAnswer>;
  close(): void;
}

/** Larger than any introspection answer; a bigger body is refused, not buffered. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

export function formPoster(endpoint: string): FormPoster {
  const url = new URL(endpoint);
  const https = url.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = https ? httpsRequest : httpRequest;
  return {
    post: (headers, body, timeoutMs) =>
      new Promise<FormAnswer>((resolve, reject) => {
        const request = send(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response: IncomingMessage) => {
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
      }),
    close: () => agent.destroy(),
  };
}
