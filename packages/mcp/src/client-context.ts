/**
 * Which host application is calling, for the audit record: the MCP session
 * id (Mcp-Session-Id) and the client's name and version. The name comes from
 * the request's own `_meta` (stateless MCP sends it with each request) or
 * from the `initialize` request of the same session, remembered here until
 * the session ends (DELETE), goes unused for `idleMs` (most clients never
 * send DELETE: a session they abandon leaves when the next one starts), or
 * falls out of a bounded map: a client that opens sessions without end
 * cannot grow it past `maxSessions`. Entries are
 * keyed by the OAuth client as well as the session id: the session id is
 * the client's to send, and one client naming another's session must not
 * borrow its name in the audit record.
 */
import type { DecisionRecord } from './policy.ts';
import type { HeaderReader } from './request-head.ts';

export type CallerInfo = Pick<DecisionRecord, 'sessionId' | 'clientName' | 'clientVersion'>;

interface ClientInfo {
  name: string;
  version: string | undefined;
}

interface Remembered extends ClientInfo {
  lastSeen: number;
}

const META_KEYS = ['io.modelcontextprotocol/clientInfo', 'clientInfo'];
const short = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value.slice(0, 200) : undefined);

function clientInfoOf(value: unknown): ClientInfo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const name = short((value as { name?: unknown }).name);
  return name === undefined ? undefined : { name, version: short((value as { version?: unknown }).version) };
}

export class ClientDirectory {
  // Ordered by last use (a hit moves its entry to the tail), so idle entries are at the head.
  private readonly bySession = new Map<string, Remembered>();

  constructor(
    private readonly maxSessions = 10_000,
    private readonly now: () => number = Date.now,
    private readonly idleMs = 30 * 60_000,
  ) {}

  /** The caller of one request: its session id and, when known, its client's name and version. */
  callerOf(headers: HeaderReader, params: Record<string, unknown>, owner: string): CallerInfo {
    const sessionId = short(headers.get('mcp-session-id'));
    const meta = params._meta as Record<string, unknown> | undefined;
    let info: ClientInfo | undefined;
    if (typeof meta === 'object' && meta !== null) for (const key of META_KEYS) info ??= clientInfoOf(meta[key]);
    if (info === undefined && sessionId !== undefined) info = this.touch(`${owner}\u0000${sessionId}`);
    // By assignment: the conditional spreads made up to four objects per request.
    const caller: CallerInfo = {};
    if (sessionId !== undefined) caller.sessionId = sessionId;
    if (info !== undefined) {
      caller.clientName = info.name;
      if (info.version !== undefined) caller.clientVersion = info.version;
    }
    return caller;
  }

  /** After an `initialize`: remember its clientInfo under the session id the server assigned (or the request carried). */
  initialized(sessionId: string | null, params: Record<string, unknown>, owner: string): void {
    const session = short(sessionId);
    const info = clientInfoOf(params.clientInfo);
    if (session === undefined || info === undefined) return;
    const id = `${owner}\u0000${session}`;
    this.bySession.delete(id);
    this.forgetIdle();
    this.bySession.set(id, { ...info, lastSeen: this.now() });
    if (this.bySession.size > this.maxSessions) this.bySession.delete(this.bySession.keys().next().value!);
  }

  /** A remembered session's client, marked as just used. */
  private touch(id: string): ClientInfo | undefined {
    const entry = this.bySession.get(id);
    if (entry === undefined) return undefined;
    this.bySession.delete(id);
    if (entry.lastSeen + this.idleMs <= this.now()) return undefined;
    entry.lastSeen = this.now();
    this.bySession.set(id, entry);
    return entry;
  }

  private forgetIdle(): void {
    const idleSince = this.now() - this.idleMs;
    for (const [id, entry] of this.bySession) {
      if (entry.lastSeen > idleSince) return;
      this.bySession.delete(id);
    }
  }

  ended(sessionId: string | null, owner: string): void {
    if (sessionId !== null) this.bySession.delete(`${owner}\u0000${sessionId}`);
  }

  /** For tests: how many sessions are remembered. */
  get size(): number {
    return this.bySession.size;
  }
}
