/**
 * Closes the McpServer built for one stateless request, once its answer is
 * known. The official SDK's close always makes a "Connection closed"
 * McpError for the requests this server sent and still awaits; a stateless
 * server that has answered awaits none, so the error reaches nobody, yet
 * capturing its stack (async frames included) cost a tenth of the server's
 * CPU per tool call with 10,000 callers (docs/sdk.md, Performance). Stacks
 * are off only while close runs synchronously (the SDK makes the error
 * there); whatever close rejects still gets its error and message.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export async function closeRequestServer(server: McpServer): Promise<void> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let closing: Promise<void>;
  try {
    closing = server.close();
  } finally {
    Error.stackTraceLimit = limit;
  }
  await closing;
}
