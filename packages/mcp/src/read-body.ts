/** Reads a request body as JSON with a size cap (the transport's own cap is skipped once we pre-parse). */
export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413; message: string };

export async function readJsonBody(request: Request, maxBytes: number): Promise<BodyResult> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return { ok: false, status: 413, message: 'Request body too large' };
  if (!request.body) return { ok: false, status: 400, message: 'Parse error: empty body' };
  // Declared length within bounds: one read. Otherwise count bytes as they come.
  if (request.headers.has('content-length')) return parse(await request.text());
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return { ok: false, status: 413, message: 'Request body too large' };
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
