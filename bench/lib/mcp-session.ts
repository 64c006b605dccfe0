/**
 * A Streamable HTTP MCP session as the gateway bench drives one, directly at
 * server-everything or through the gateway: opened, checked with one echo
 * call, and ended after the round.
 */

/** The call every round measures: server-everything's echo. */
export const CALL = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { message: 'benchmark' } } });
export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };

/** initialize + notifications/initialized, then one CALL that must answer: the session id every later call names. */
export async function openSession(url: string, headers: Record<string, string>): Promise<string> {
  const init = await fetch(url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }),
  });
  const session = init.headers.get('mcp-session-id');
  await init.text();
  if (!init.ok || !session) throw new Error(`initialize at ${url} failed: HTTP ${init.status}`);
  const withSession = { ...MCP_HEADERS, ...headers, 'mcp-session-id': session };
  const initialized = await fetch(url, { method: 'POST', headers: withSession, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
  await initialized.text();
  const check = await fetch(url, { method: 'POST', headers: withSession, body: CALL });
  const text = await check.text();
  if (!check.ok || !text.includes('Echo: benchmark')) throw new Error(`tools/call at ${url} failed: HTTP ${check.status} ${text.slice(0, 200)}`);
  return session;
}

/** Ends a session (DELETE): the upstream drops it and everything it kept for it. */
export async function closeSession(url: string, headers: Record<string, string>, session: string): Promise<void> {
  const response = await fetch(url, { method: 'DELETE', headers: { ...MCP_HEADERS, ...headers, 'mcp-session-id': session } });
  await response.text();
  if (!response.ok) throw new Error(`DELETE of the session at ${url} failed: HTTP ${response.status}`);
}
