/**
 * Reads an OAuth endpoint's form body. RFC 6749 §3.2 (token) and RFC 7662 /
 * RFC 7009 accept only application/x-www-form-urlencoded, and §3.1 says
 * request and response parameters MUST NOT be included more than once: a
 * repeated parameter is ambiguous (which one did the client mean?), so it is
 * an invalid_request rather than first-or-last-wins.
 */
import type { IncomingMessage } from 'node:http';
import { OAuthError } from '@gatehouse-auth/core';
import type { RequestHeaders } from '../http/request-headers.ts';
import type { EndpointRequest } from '../http/endpoint-request.ts';

export type FormParams = Readonly<Record<string, string>>;

/** Token requests are tiny; anything larger is not a client we serve (http/body-limit.ts refuses most before this). */
const MAX_FORM_BYTES = 16 * 1024;

/** The rest of a refused body is never read: the connection cannot carry another request. */
const tooLarge = (): OAuthError => new OAuthError('request_too_large', 'The request body is too large.', { headers: { connection: 'close' } });

/**
 * `incoming` is Node's request when served by @hono/node-server: reading it
 * directly skips building a WHATWG Request and stream around a body of a
 * few hundred bytes, which is a large share of a token request's cost.
 */
export function readForm(request: Request, headers: RequestHeaders, incoming?: IncomingMessage): Promise<FormParams> {
  return readEndpointForm({ headers, text: () => (incoming && !incoming.readableDidRead ? readIncoming(incoming) : request.text()), bindings: undefined });
}

/** The same, from either source of a request (http/endpoint-request.ts). */
export async function readEndpointForm({ headers, text: readText }: EndpointRequest): Promise<FormParams> {
  const type = headers.get('content-type') ?? '';
  if (type.split(';')[0]!.trim().toLowerCase() !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded.');
  }
  const declared = Number(headers.get('content-length') ?? '0');
  if (declared > MAX_FORM_BYTES) throw tooLarge();
  const text = await readText();
  if (text.length > MAX_FORM_BYTES) throw tooLarge();
  return parseForm(text);
}

/** The body of Node's request, up to MAX_FORM_BYTES (request_too_large past it, the connection closed). */
export function readIncoming(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        incoming.destroy();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    incoming.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.once('error', reject);
  });
}

export function parseForm(text: string): FormParams {
  const form: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    if (name in form) throw new OAuthError('invalid_request', `The ${name} parameter is repeated.`);
    form[name] = value;
  }
  return form;
}

/** A parameter the grant cannot do without (RFC 6749 §5.2 invalid_request). */
export function requireParam(form: FormParams, name: string): string {
  const value = form[name];
  if (value === undefined || value === '') throw new OAuthError('invalid_request', `The ${name} parameter is required.`);
  return value;
}
