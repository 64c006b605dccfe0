/**
 * Node adapter: node:http listener and Express middleware in one. Paths the
 * protected server does not own go to `next()` when there is one (Express),
 * else get a 404. Uses @hono/node-server's Request/Response bridge, the
 * same one the MCP SDK's own Node transport uses, so SSE and backpressure
 * behave as they do there.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { nodeBodyReader } from './node-body.ts';
import { nodeTextSender } from './node-send.ts';
import { metadataPaths } from './protected-resource-metadata.ts';
import type { ProtectedMcp } from './resource-server.ts';

type ParsedIncoming = IncomingMessage & { body?: unknown; _body?: boolean; originalUrl?: string };

export function toNodeListener(mcp: ProtectedMcp): (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => Promise<void> {
  const owned = new Set([mcp.mcpPath, ...metadataPaths(mcp.metadata.resource)]);
  const listener = getRequestListener(
    (request, env) => {
      const incoming = env.incoming as ParsedIncoming;
      const sendText = nodeTextSender(env.outgoing as ServerResponse);
      // A body parser (express.json()) already drained the stream: hand over its result.
      const consumed = incoming._body === true || incoming.readableEnded;
      const parsedBody = consumed ? incoming.body : undefined;
      if (parsedBody !== undefined) return mcp.fetch(request, { ip: incoming.socket.remoteAddress, parsedBody, sendText });
      // Unread (and in bytes, as node:http delivers it): the guard reads it from here (node-body.ts).
      const readBody = !consumed && incoming.readableEncoding === null ? nodeBodyReader(incoming) : undefined;
      return mcp.fetch(request, { ip: incoming.socket.remoteAddress, sendText, ...(readBody ? { readBody } : {}) });
    },
    { overrideGlobalObjects: false },
  );
  return async (req, res, next) => {
    if (next) {
      const raw = (req as ParsedIncoming).originalUrl ?? req.url ?? '/';
      const query = raw.search(/[?#]/);
      if (!owned.has(query < 0 ? raw : raw.slice(0, query))) return next();
    }
    if ((req as ParsedIncoming).originalUrl) req.url = (req as ParsedIncoming).originalUrl;
    await listener(req, res);
  };
}
