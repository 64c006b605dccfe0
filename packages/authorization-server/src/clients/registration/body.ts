/**
 * Reads a JSON request body with a hard size cap: Content-Length is checked
 * before reading, and the bytes actually received while streaming (a lying
 * or absent Content-Length cannot get past it). 413 beyond the cap.
 */
import { OAuthError } from '@gatehouse-auth/core';

export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new OAuthError('invalid_client_metadata', 'The registration request must be application/json.');
  }
  const text = await readCapped(request, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new OAuthError('invalid_client_metadata', 'The registration request is not valid JSON.');
  }
}

async function readCapped(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const tooLarge = (maxBytes: number): OAuthError =>
  new OAuthError('request_too_large', `The request body exceeds ${maxBytes} bytes.`, { detail: 'registration body over limit', headers: { connection: 'close' } });
