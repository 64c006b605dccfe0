/**
 * Reads a request body as JSON with a size cap (the transport's own cap is
 * skipped once we pre-parse). The cap holds before and during the read: a
 * declared Content-Length over it is refused unread, and the bytes are
 * counted as they arrive whatever the header says, so a body that lies
 * about its length (or declares none) is cut off at the cap.
 */
export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413; message: string };

/** Reads one request's body under `maxBytes` (node-body.ts reads it from node:http, readJsonBody from a web Request). */
export type BodyReader = (maxBytes: number) => Promise<BodyResult>;

export const bodyTooLarge = (maxBytes: number): BodyResult => ({ ok: false, status: 413, message: `Invalid Request: the body is over ${maxBytes} bytes` });

/** A declared Content-Length over the cap: refused before a byte is read. */
export const declaredTooLarge = (contentLength: string | null | undefined, maxBytes: number): boolean => Number(contentLength ?? '0') > maxBytes;

export async function readJsonBody(request: Request, maxBytes: number): Promise<BodyResult> {
  if (declaredTooLarge(request.headers.get('content-length'), maxBytes)) return bodyTooLarge(maxBytes);
  if (!request.body) return { ok: false, status: 400, message: 'Parse error: empty body' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return bodyTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return parseJsonBody(Buffer.concat(chunks).toString('utf8'));
}

export function parseJsonBody(text: string): BodyResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, message: 'Parse error: the body is not JSON' };
  }
}
