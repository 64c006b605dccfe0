/**
 * The POST body read straight from node:http's IncomingMessage, under the
 * same cap and with the same answers as readJsonBody (read-body.ts). Going
 * through the web Request instead built, per request, an undici Request,
 * its AbortSignal, a web ReadableStream over the socket stream and a reader:
 * about a tenth of a protected tools/call's CPU in the SDK benchmark
 * (docs/sdk.md, Performance). Reading here leaves the bridge's Request
 * lazy: the guard and the MCP transport only read its method, URL and
 * headers once the body is parsed.
 *
 * Over the cap, reading stops and the answer is 413; the bridge
 * (@hono/node-server) drains or closes what is left once the answer is sent.
 */
import type { IncomingMessage } from 'node:http';
import { bodyTooLarge, declaredTooLarge, parseJsonBody, type BodyReader, type BodyResult } from './read-body.ts';

export function nodeBodyReader(incoming: IncomingMessage): BodyReader {
  return (maxBytes) => readNodeJsonBody(incoming, maxBytes);
}

export function readNodeJsonBody(incoming: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  if (declaredTooLarge(incoming.headers['content-length'], maxBytes)) return Promise.resolve(bodyTooLarge(maxBytes));
  return new Promise<BodyResult>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        incoming.pause();
        resolve(bodyTooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(parseJsonBody(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    // The client went away before the body ended: no body to judge (as a web stream's read would fail).
    const onClose = () => {
      stop();
      reject(new Error('the request was aborted before its body was read'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}
