/**
 * Reads a request body as JSON with a size cap (the transport's own cap is
 * skipped once we pre-parse). The cap holds before and during the read: a
 * declared Content-Length over it is refused unread, and the bytes are
 * counted as they arrive whatever the header says, so a body that lies
 * about its length (or declares none) is cut off at the cap.
 */
export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413; message: string };

export async function readJsonBody(request: Request, maxBytes: number): Promise<BodyResult> {
  const tooLarge: BodyResult = { ok: false, status: 413, message: `Invalid Request: the body is over ${maxBytes} bytes` };
  if (Number(request.headers.get('content-length') ?? '0') > maxBytes) return tooLarge;
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
      return tooLarge;
    }
    chunks.push(value);
  }
  return parse(Buffer.concat(chunks).toString('utf8'));
}

function parse(text: string): BodyResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, status: 400, message: 'Parse error: the body is not JSON' };
  }
}
