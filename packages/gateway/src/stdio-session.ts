/**
 * One stdio MCP server process for one (user, client session), bridged to
 * Streamable HTTP: the official SDK's WebStandard server transport faces the
 * client (sessions, SSE streams, Last-Event-ID replay from a per-session
 * event store), its StdioClientTransport faces the child process
 * (newline-delimited JSON-RPC). Messages are relayed as they are; the
 * bridge only decides which HTTP stream a message from the child travels
 * on: a response on its request's stream, a progress notification on the
 * stream of the request that carries its progress token, any other
 * server-to-client message (sampling, elicitation, roots, logging) on the
 * stream of the latest request still waiting for its answer, else on the
 * standalone GET stream.
 *
 * A child that exits unasked is restarted with the client's own
 * initialize handshake replayed; requests waiting on it, and requests that
 * arrive while it restarts, get a JSON-RPC error saying so.
 */
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { WebStandardStreamableHTTPServerTransport, type EventStore } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { UPSTREAM_UNAVAILABLE } from './errors.ts';
import type { SessionOwner } from './owner.ts';

export interface StdioCommand {
  command: string;
  args?: string[];
  /** The child's environment on top of the SDK's safe defaults (PATH, HOME…); never the gateway's secrets. */
  env?: Record<string, string>;
  cwd?: string;
}

export interface StdioSessionOptions {
  command: StdioCommand;
  owner: SessionOwner;
  /** Restarts allowed within a minute before the session is given up. */
  maxRestarts?: number;
  onClosed: (session: StdioSession) => void;
  onError?: (error: unknown) => void;
}

type Message = Record<string, unknown>;

const RESTART_ID_PREFIX = 'gatehouse-gateway-restart-';

export class StdioSession {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly owner: SessionOwner;
  /** SHA-256 of the access tokens used in this session (a revoked token closes it). */
  readonly tokens = new Set<string>();
  lastActive = Date.now();
  sessionId: string | undefined;
  private child: StdioClientTransport | undefined;
  private state: 'starting' | 'running' | 'restarting' | 'closed' = 'starting';
  /** Client requests still waiting for the child's answer, oldest first. */
  private readonly waiting = new Map<RequestId, { progressToken?: unknown }>();
  private readonly progress = new Map<unknown, RequestId>();
  /** The client's initialize request and initialized notification, replayed to a restarted child. */
  private handshake: Message[] = [];
  private restarts: number[] = [];
  private restartCount = 0;

  constructor(private readonly options: StdioSessionOptions) {
    this.owner = options.owner;
    this.transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      eventStore: new BoundedEventStore(),
      onsessioninitialized: (id) => {
        this.sessionId = id;
      },
      // The client ended the session (DELETE): the process ends with it.
      onsessionclosed: () => void this.close(),
    });
    this.transport.onmessage = (message) => this.fromClient(message as Message);
    this.transport.onerror = (error) => options.onError?.(error);
  }

  async start(): Promise<void> {
    await this.transport.start();
    await this.spawn();
    this.state = 'running';
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Hands an HTTP request to the bridge. The body was already read (and checked) by the guard. */
  async handle(request: Request, body: unknown): Promise<Response> {
    this.lastActive = Date.now();
    const version = request.headers.get('mcp-protocol-version');
    if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      // Versions are negotiated between the client and the child inside initialize; the bridge's
      // HTTP transport must not refuse a version newer than the SDK it is built from.
      const headers = new Headers(request.headers);
      headers.delete('mcp-protocol-version');
      request = new Request(request.url, { method: request.method, headers, ...(request.body && request.method === 'POST' ? { body: JSON.stringify(body) } : {}) });
    }
    return this.transport.handleRequest(request, body === undefined ? {} : { parsedBody: body });
  }

  get idle(): boolean {
    return this.waiting.size === 0;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const child = this.child;
    this.child = undefined;
    // Unreachable from now on, whatever the process does next.
    this.options.onClosed(this);
    // SIGTERM at once: the SDK's close() would give the process two seconds to notice its stdin closing,
    // and a revoked user's process must not outlive the revocation by that long.
    const pid = child?.pid;
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    await Promise.allSettled([this.transport.close(), child?.close()]);
  }

  private async spawn(): Promise<void> {
    const { command, args, env, cwd } = this.options.command;
    const child = new StdioClientTransport({ command, args: args ?? [], ...(env ? { env } : {}), ...(cwd ? { cwd } : {}), stderr: 'ignore' });
    child.onmessage = (message) => this.fromChild(child, message as Message);
    child.onerror = (error) => this.options.onError?.(error);
    child.onclose = () => this.childExited(child);
    this.child = child;
    await child.start();
  }

  private fromClient(message: Message): void {
    this.lastActive = Date.now();
    const { id, method } = message;
    const isRequest = typeof method === 'string' && id !== undefined;
    if (method === 'initialize' || method === 'notifications/initialized') this.handshake.push(message);
    if (isRequest) {
      const progressToken = ((message.params as Message | undefined)?._meta as Message | undefined)?.progressToken;
      this.waiting.set(id as RequestId, progressToken === undefined ? {} : { progressToken });
      if (progressToken !== undefined) this.progress.set(progressToken, id as RequestId);
      if (this.state !== 'running' || !this.child) {
        this.answerWithError(id as RequestId, 'The upstream MCP server crashed and is being restarted; retry in a moment');
        return;
      }
    } else if (method === 'notifications/cancelled') {
      this.settled((message.params as Message | undefined)?.requestId as RequestId);
    }
    if (!this.child || this.state !== 'running') return;
    this.child.send(message as JSONRPCMessage).catch((error: unknown) => {
      this.options.onError?.(error);
      if (isRequest) this.answerWithError(id as RequestId, 'The upstream MCP server did not accept the message');
    });
  }

  private fromChild(child: StdioClientTransport, message: Message): void {
    if (child !== this.child) return;
    this.lastActive = Date.now();
    const { id, method } = message;
    if (method === undefined && id !== undefined) {
      if (typeof id === 'string' && id.startsWith(RESTART_ID_PREFIX)) {
        // The restarted child answered the replayed initialize: tell it the client is ready.
        const initialized = this.handshake.find((m) => m.method === 'notifications/initialized');
        if (initialized) void child.send(initialized as JSONRPCMessage).catch(() => {});
        if (this.state === 'restarting') this.state = 'running';
        return;
      }
      this.settled(id as RequestId);
      void this.transport.send(message as JSONRPCMessage, { relatedRequestId: id as RequestId }).catch((error: unknown) => this.options.onError?.(error));
      return;
    }
    void this.transport.send(message as JSONRPCMessage, this.routeOf(message)).catch((error: unknown) => this.options.onError?.(error));
  }

  private routeOf(message: Message): { relatedRequestId?: RequestId } {
    if (message.method === 'notifications/progress') {
      const requestId = this.progress.get((message.params as Message | undefined)?.progressToken);
      if (requestId !== undefined) return { relatedRequestId: requestId };
    }
    const latest = [...this.waiting.keys()].at(-1);
    return latest === undefined ? {} : { relatedRequestId: latest };
  }

  private settled(id: RequestId): void {
    const waiting = this.waiting.get(id);
    if (waiting?.progressToken !== undefined) this.progress.delete(waiting.progressToken);
    this.waiting.delete(id);
  }

  private answerWithError(id: RequestId, text: string): void {
    this.settled(id);
    const error = { jsonrpc: '2.0', id, error: { code: UPSTREAM_UNAVAILABLE, message: text } } as JSONRPCMessage;
    void this.transport.send(error, { relatedRequestId: id }).catch((err: unknown) => this.options.onError?.(err));
  }

  private childExited(child: StdioClientTransport): void {
    if (child !== this.child || this.state === 'closed') return;
    this.child = undefined;
    for (const id of [...this.waiting.keys()]) this.answerWithError(id, 'The upstream MCP server exited before answering; it is being restarted');
    const now = Date.now();
    this.restarts = [...this.restarts.filter((at) => now - at < 60_000), now];
    if (this.restarts.length > (this.options.maxRestarts ?? 3) || !this.handshake.some((m) => m.method === 'initialize')) {
      void this.close();
      return;
    }
    this.state = 'restarting';
    void this.respawn();
  }

  private async respawn(): Promise<void> {
    try {
      await this.spawn();
      const initialize = this.handshake.find((m) => m.method === 'initialize');
      await this.child!.send({ ...initialize, id: `${RESTART_ID_PREFIX}${++this.restartCount}` } as JSONRPCMessage);
    } catch (error) {
      this.options.onError?.(error);
      await this.close();
    }
  }
}

/** Last-Event-ID replay for one session, keeping the latest 1,000 events. */
class BoundedEventStore implements EventStore {
  private readonly events: { id: string; streamId: string; message: JSONRPCMessage }[] = [];
  private next = 0;

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}_${++this.next}`;
    this.events.push({ id, streamId, message });
    if (this.events.length > 1000) this.events.shift();
    return id;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.events.find((event) => event.id === eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const index = this.events.findIndex((event) => event.id === lastEventId);
    if (index < 0) return '';
    const streamId = this.events[index]!.streamId;
    for (const event of this.events.slice(index + 1)) if (event.streamId === streamId) await send(event.id, event.message);
    return streamId;
  }
}
