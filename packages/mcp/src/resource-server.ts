/**
 * A protected MCP endpoint as one web-standard `fetch(Request) → Response`
 * (mount it in Hono, Bun, Deno, Workers; toNodeListener for node:http and
 * Express). The guard does every check; then a fresh stateless McpServer,
 * built for this caller's scopes, answers. The raw token never reaches a
 * handler: they read the principal with getPrincipal(extra).
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { closeRequestServer } from './close-request-server.ts';
import { jsonResponse } from './jsonrpc.ts';
import type { ProtectMcpOptions } from './options.ts';
import { PRINCIPAL_KEY } from './principal.ts';
import type { ProtectedResourceMetadata } from './protected-resource-metadata.ts';
import { createMcpGuard, pathOf, type RequestInfo } from './request-guard.ts';
import type { RevocationStreamState } from './verification/types.ts';

export interface ProtectedMcp {
  fetch(request: Request, info?: RequestInfo): Promise<Response>;
  readonly metadata: ProtectedResourceMetadata;
  readonly metadataUrl: string;
  /** The path MCP requests are served on (the resource URI's path). */
  readonly mcpPath: string;
  /** Revocation stream state, for a health endpoint. */
  revocationStream(): RevocationStreamState;
  close(): Promise<void>;
}

export function protectMcpServer(input: ProtectMcpOptions): ProtectedMcp {
  const { server: gated, ...rest } = input;
  const guard = createMcpGuard({ ...rest, operations: gated.operations() });
  const resourceUrl = new URL(guard.options.resource);

  async function serve(request: Request, info: RequestInfo): Promise<Response> {
    const result = await guard.check(request, info);
    if (result.kind === 'respond') return result.response;
    const { principal, body, settle } = result;
    const server = gated.build(new Set(principal.scopes));
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    try {
      await server.connect(transport);
      return await settle(
        await transport.handleRequest(request, {
          parsedBody: body,
          // The token itself stays in the guard: handlers get the principal.
          authInfo: {
            token: '',
            clientId: principal.clientId,
            scopes: principal.scopes,
            expiresAt: Math.floor(principal.expiresAt / 1000),
            resource: resourceUrl,
            extra: { [PRINCIPAL_KEY]: principal },
          },
        }),
      );
    } finally {
      await closeRequestServer(server);
    }
  }

  return {
    metadata: guard.metadata,
    metadataUrl: guard.metadataUrl,
    mcpPath: guard.mcpPath,
    async fetch(request, info = {}) {
      const path = pathOf(request.url);
      const metadata = guard.serveMetadata(request, path);
      if (metadata) return metadata;
      if (path !== guard.mcpPath) return jsonResponse({ error: 'not_found' }, 404);
      return serve(request, info);
    },
    revocationStream: () => guard.revocationStream(),
    close: () => guard.close(),
  };
}

export type { RequestInfo } from './request-guard.ts';
