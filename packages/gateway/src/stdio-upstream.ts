/**
 * A stdio upstream: one child process per (user, client session). A client
 * without a session starts one with `initialize` (within the caps: per
 * user, and in total); every later request names its session and is served
 * only if the session belongs to the same user and client, else 404 as an
 * unknown session (another user's session id reveals and reaches nothing).
 * Idle sessions are reaped; `closeWhere` ends the sessions a revocation
 * takes access from.
 */
import { idOf, rpcError, SESSION_LIMIT, SESSION_NOT_FOUND } from './errors.ts';
import { sameOwner, type SessionOwner } from './owner.ts';
import { personalize } from './placeholders.ts';
import { StdioSession, type StdioCommand } from './stdio-session.ts';
import type { Upstream, UpstreamRequest } from './upstream.ts';

export interface SessionLimits {
  /** A session with no request for this long is closed. Default 15 minutes. */
  idleTimeoutMs?: number;
  /** Default 5. */
  maxPerUser?: number;
  /** Default 100. */
  maxTotal?: number;
}

export interface StdioUpstreamOptions extends SessionLimits {
  command: StdioCommand;
  onError?: (error: unknown) => void;
}

export class StdioUpstream implements Upstream {
  private readonly sessions = new Map<string, StdioSession>();
  /** Sessions started but not yet initialized count against the caps too. */
  private readonly pending = new Set<StdioSession>();
  private readonly reaper: NodeJS.Timeout;
  private readonly idleTimeoutMs: number;

  constructor(private readonly options: StdioUpstreamOptions) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 15 * 60_000;
    this.reaper = setInterval(() => this.reapIdle(), Math.max(50, Math.min(this.idleTimeoutMs / 2, 30_000)));
    this.reaper.unref();
  }

  async handle({ webRequest, body, owner, tokenHash }: UpstreamRequest): Promise<Response> {
    const request = webRequest();
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId === null) {
      const isInitialize = typeof body === 'object' && body !== null && (body as { method?: unknown }).method === 'initialize';
      if (request.method !== 'POST' || !isInitialize) return rpcError(idOf(body), -32000, 'Bad Request: Mcp-Session-Id header is required (start with initialize)', 400);
      return this.start(request, body, owner, tokenHash);
    }
    const session = this.sessions.get(sessionId);
    if (!session || !sameOwner(session.owner, owner)) return rpcError(idOf(body), SESSION_NOT_FOUND, 'Session not found', 404);
    if (tokenHash) session.tokens.add(tokenHash);
    return session.handle(request, body);
  }

  private async start(request: Request, body: unknown, owner: SessionOwner, tokenHash: string | undefined): Promise<Response> {
    const all = [...this.sessions.values(), ...this.pending];
    const maxTotal = this.options.maxTotal ?? 100;
    const maxPerUser = this.options.maxPerUser ?? 5;
    if (all.length >= maxTotal) return rpcError(idOf(body), SESSION_LIMIT, `Too many upstream sessions: this gateway runs at most ${maxTotal}; try again later`, 429, { 'retry-after': '30' });
    if (all.filter((s) => s.owner.subject === owner.subject).length >= maxPerUser) {
      return rpcError(idOf(body), SESSION_LIMIT, `Too many upstream sessions: at most ${maxPerUser} per user; close one (DELETE) or wait for an idle one to end`, 429, { 'retry-after': '30' });
    }
    const command = personalCommand(this.options.command, owner);
    if (!command) return rpcError(idOf(body), -32005, "The upstream's command names the caller's id, which cannot be used in a command line", 502);
    const session = new StdioSession({
      command,
      owner,
      onClosed: (closed) => {
        this.pending.delete(closed);
        if (closed.sessionId && this.sessions.get(closed.sessionId) === closed) this.sessions.delete(closed.sessionId);
      },
      onError: this.options.onError,
    });
    if (tokenHash) session.tokens.add(tokenHash);
    this.pending.add(session);
    try {
      await session.start();
    } catch (error) {
      this.options.onError?.(error);
      await session.close();
      return rpcError(idOf(body), -32005, 'The upstream MCP server could not be started', 502);
    }
    const response = await session.handle(request, body);
    this.pending.delete(session);
    if (session.sessionId && response.ok) this.sessions.set(session.sessionId, session);
    else await session.close();
    return response;
  }

  /** Closes the sessions `predicate` picks; resolves when they are closed. */
  async closeWhere(predicate: (session: StdioSession) => boolean): Promise<number> {
    const doomed = [...this.sessions.values(), ...this.pending].filter(predicate);
    await Promise.all(doomed.map((session) => session.close()));
    return doomed.length;
  }

  /** Open sessions (for tests and a health endpoint). */
  count(owner?: Pick<SessionOwner, 'subject'>): number {
    const all = [...this.sessions.values()];
    return owner ? all.filter((s) => s.owner.subject === owner.subject).length : all.length;
  }

  private reapIdle(): void {
    const cutoff = Date.now() - this.idleTimeoutMs;
    for (const session of this.sessions.values()) if (session.lastActive < cutoff && session.idle) void session.close();
  }

  async close(): Promise<void> {
    clearInterval(this.reaper);
    await this.closeWhere(() => true);
  }
}

/** The command with `{subject}` and `{org}` filled for this owner (placeholders.ts). */
function personalCommand(command: StdioCommand, owner: SessionOwner): StdioCommand | undefined {
  const fill = (text: string) => personalize(text, owner);
  const args = (command.args ?? []).map(fill);
  const env = Object.entries(command.env ?? {}).map(([key, value]) => [key, fill(value)] as const);
  const cwd = command.cwd === undefined ? undefined : fill(command.cwd);
  if (args.includes(undefined) || env.some(([, value]) => value === undefined) || (command.cwd !== undefined && cwd === undefined)) return undefined;
  return { command: command.command, args: args as string[], ...(command.env ? { env: Object.fromEntries(env) as Record<string, string> } : {}), ...(cwd !== undefined ? { cwd } : {}) };
}
