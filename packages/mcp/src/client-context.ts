/**
 * Which host application is calling, for the audit record: the MCP session
 * id (Mcp-Session-Id) and the client's name and version. The name comes from
 * the request's own `_meta` (stateless MCP sends it with each request) or
 * from the `initialize` request of the same session, remembered here until
 * the session ends (DELETE) or falls out of a bounded map: a client that
 * opens sessions without end cannot grow it past `maxSessions`. Entries are
 * keyed by the OAuth client as well as the session id: the session id is
 * the client's to send, and one client naming another's session must not
 * borrow its name in the audit record.
 */
import type { DecisionRecord } from './policy.ts';

export type CallerInfo = Pick<DecisionRecord, 'sessionId' | 'clientName' | 'clientVersion'>;

interface ClientInfo {
  name: string;
  version: string | undefined;
}

const META_KEYS = ['io.modelcontextprotocol/clientInfo', 'clientInfo'];
const short = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value.slice(0, 200) : undefined);

function clientInfoOf(value: unknown): ClientInfo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const name = short((value as { name?: unknown }).name);
  return name === undefined ? undefined : { name, version: short((value as { version?: unknown }).version) };
}

export class ClientDirectory {
  private readonly bySession = new Map<string, ClientInfo>();

  constructor(private readonly maxSessions = 10_000) {}

  /** The caller of one request: its session id and, when known, its client's name and version. */
  callerOf(headers: Headers, params: Record<string, unknown>, owner: string): CallerInfo {
    const sessionId = short(headers.get('mcp-session-id'));
    const meta = params._meta as Record<string, unknown> | undefined;
    let info: ClientInfo | undefined;
    if (typeof meta === 'object' && meta !== null) for (const key of META_KEYS) info ??= clientInfoOf(meta[key]);
    if (info === undefined && sessionId !== undefined) info = this.bySession.get(`${owner}\u0000${sessionId}`);
    return {
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(info === undefined ? {} : { clientName: info.name, ...(info.version === undefined ? {} : { clientVersion: info.version }) }),
    };
  }

  /** After an `initialize`: remember its clientInfo under the session id the server assigned (or the request carried). */
  initialized(sessionId: string | null, params: Record<string, unknown>, owner: string): void {
    const session = short(sessionId);
    const info = clientInfoOf(params.clientInfo);
    if (session === undefined || info === undefined) return;
    const id = `${owner}\u0000${session}`;
    this.bySession.delete(id);
    this.bySession.set(id, info);
    if (this.bySession.size > this.maxSessions) this.bySession.delete(this.bySession.keys().next().value!);
  }

  ended(sessionId: string | null, owner: string): void {
    if (sessionId !== null) this.bySession.delete(`${owner}\u0000${sessionId}`);
  }

  /** For tests: how many sessions are remembered. */
  get size(): number {
    return this.bySession.size;
  }
}
