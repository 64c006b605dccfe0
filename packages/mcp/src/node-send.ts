/**
 * An allowed call's answer written straight to node:http's ServerResponse.
 * The guard holds it as text once its outcome is recorded; handing it on as
 * a web Response made undici build a body stream over that text, and the
 * bridge (@hono/node-server) read the stream back, chunk by chunk, before
 * writing: about 30 µs of every protected tool call (docs/sdk.md,
 * Performance). The bridge is told the answer is sent with its own marker,
 * RESPONSE_ALREADY_SENT. Same status, headers and body as the bridge writes,
 * with the Content-Length it would compute.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { TextSender } from './outcome-record.ts';

export function nodeTextSender(outgoing: ServerResponse): TextSender {
  return (text, status, headers) => {
    const head: OutgoingHttpHeaders = {};
    headers.forEach((value, name) => {
      if (name !== 'set-cookie') head[name] = value;
    });
    const cookies = headers.getSetCookie();
    if (cookies.length > 0) head['set-cookie'] = cookies;
    head['content-length'] = Buffer.byteLength(text);
    outgoing.writeHead(status, head);
    outgoing.end(text);
    return RESPONSE_ALREADY_SENT;
  };
}
