/**
 * The soak's operations, over HTTP as clients do them: a whole
 * authorization-code flow with PKCE (/authorize → login form → consent
 * form → redirect with code → /token; a fresh cookie jar each time, so each
 * flow signs in), refresh-token rotation, introspection by the demo MCP
 * server's credentials, and an MCP tools/call to the demo server (which the
 * SDK guards with introspection). Any answer other than the expected one is
 * a failure with the request kind, status and the start of the body.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Recorder } from './soak-stats.ts';
import type { SoakServerInfo } from './soak-server.ts';

export const REDIRECT = 'http://127.0.0.1:9/callback';
const FORM = 'application/x-www-form-urlencoded';

/** What each person asks for and the tool their role may call (examples/internal-company). */
const PLAN: Record<string, { scope: string; tool: string; args: Record<string, unknown> }> = {
  Management: { scope: 'finance:read:revenue employees:read:public offline_access', tool: 'revenue_report', args: {} },
  Engineering: { scope: 'code:read tickets:read offline_access', tool: 'search_code', args: { query: 'vat' } },
  Support: { scope: 'tickets:read customers:read:summary offline_access', tool: 'list_tickets', args: {} },
};

export interface Session {
  role: string;
  access: string;
  refresh: string;
  busy: boolean;
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export class SoakFailure extends Error {}

export class Workload {
  clientId = '';
  readonly sessions: Session[] = [];
  private readonly basicRs: string;

  constructor(
    readonly info: SoakServerInfo,
    private readonly recorder: Recorder,
  ) {
    const { clientId, clientSecret } = info.introspection;
    this.basicRs = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  }

  /** One timed request; the body is read inside the timing. */
  private async call(kind: string, url: string, init: RequestInit = {}): Promise<Answer> {
    const start = performance.now();
    let answer: Answer;
    try {
      const response = await fetch(url, { redirect: 'manual', ...init });
      answer = { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      throw new SoakFailure(`${kind}: ${(error as Error).message}`);
    }
    this.recorder.latency(kind, performance.now() - start);
    return answer;
  }

  private expect(kind: string, answer: Answer, status: number, contains?: string): void {
    if (answer.status !== status || (contains && !answer.text.includes(contains))) {
      throw new SoakFailure(`${kind} answered ${answer.status} (expected ${status}${contains ? ` with ${contains}` : ''}): ${answer.text.slice(0, 200)}`);
    }
  }

  /** A public client registered the way MCP clients do (RFC 7591). */
  async register(): Promise<void> {
    const answer = await this.call('register', `${this.info.issuer}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Soak client', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none' }),
    });
    this.expect('register', answer, 201);
    this.clientId = (JSON.parse(answer.text) as { client_id: string }).client_id;
  }

  /** /authorize → login → consent → code → /token for `person`; adds the session. */
  async authorizationFlow(person: SoakServerInfo['people'][number]): Promise<Session> {
    const jar = new Map<string, string>();
    const browse = async (kind: string, url: string, fields?: Record<string, string | string[]>): Promise<Answer> => {
      const headers: Record<string, string> = {};
      if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      let body: string | undefined;
      if (fields) {
        const form = new URLSearchParams();
        for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) form.append(k, value);
        body = form.toString();
        headers['content-type'] = FORM;
        headers.origin = new URL(this.info.issuer).origin;
      }
      const answer = await this.call(kind, url.startsWith('http') ? url : `${this.info.issuer}${url}`, { method: fields ? 'POST' : 'GET', headers, ...(body ? { body } : {}) });
      for (const line of answer.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        const value = pair.slice(eq + 1).trim();
        if (value === '' || /max-age=0/i.test(line)) jar.delete(pair.slice(0, eq).trim());
        else jar.set(pair.slice(0, eq).trim(), value);
      }
      return answer;
    };
    const csrfOf = (kind: string, html: string): string => {
      const match = /name="csrf" value="([^"]+)"/.exec(html);
      if (!match?.[1]) throw new SoakFailure(`${kind}: no csrf field in the page`);
      return match[1];
    };

    const plan = PLAN[person.role]!;
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: this.clientId,
      redirect_uri: REDIRECT,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      resource: this.info.resource,
      scope: plan.scope,
      state: randomBytes(8).toString('hex'),
    });
    let answer = await browse('authorize', `/authorize?${query}`);
    let code: string | undefined;
    for (let step = 0; step < 6 && !code; step++) {
      const location = answer.headers.get('location') ?? '';
      if (answer.status < 300 || answer.status >= 400 || !location) throw new SoakFailure(`authorize flow: ${answer.status} without a redirect: ${answer.text.slice(0, 200)}`);
      if (location.startsWith(REDIRECT)) {
        code = new URL(location).searchParams.get('code') ?? undefined;
        if (!code) throw new SoakFailure(`authorize flow: redirect without a code: ${location}`);
      } else if (location.includes('/login')) {
        const page = await browse('login', location);
        this.expect('login page', page, 200);
        const interaction = new URL(location, this.info.issuer).searchParams.get('interaction') ?? '';
        answer = await browse('login', '/login', { csrf: csrfOf('login page', page.text), interaction, email: person.email, password: person.password });
      } else if (location.includes('/interaction/')) {
        const page = await browse('consent', location);
        // Nothing left to ask (consent remembered): the interaction redirects on.
        if (page.status >= 300 && page.status < 400) {
          answer = page;
          continue;
        }
        this.expect('consent page', page, 200);
        const scopes = [...page.text.matchAll(/name="scope" value="([^"]+)"/g)].map((m) => m[1]!);
        answer = await browse('consent', location, { csrf: csrfOf('consent page', page.text), action: 'approve', scope: scopes });
      } else {
        throw new SoakFailure(`authorize flow: unexpected redirect to ${location}`);
      }
    }
    if (!code) throw new SoakFailure('authorize flow: no code after six steps');
    const token = await this.call('token', `${this.info.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT, resource: this.info.resource, client_id: this.clientId }).toString(),
    });
    this.expect('token', token, 200, '"refresh_token"');
    const body = JSON.parse(token.text) as { access_token: string; refresh_token: string };
    const session: Session = { role: person.role, access: body.access_token, refresh: body.refresh_token, busy: false };
    this.sessions.push(session);
    // Keep a bounded working set; older tokens stay in the store as they would in production.
    if (this.sessions.length > 300)
      this.sessions.splice(
        this.sessions.findIndex((s) => !s.busy),
        1,
      );
    return session;
  }

  /** Rotates one session's refresh token (never two rotations of one token at once: that would be reuse). */
  async refresh(session: Session): Promise<void> {
    session.busy = true;
    try {
      const answer = await this.call('refresh', `${this.info.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': FORM },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: session.refresh, client_id: this.clientId, resource: this.info.resource }).toString(),
      });
      this.expect('refresh', answer, 200, '"refresh_token"');
      const body = JSON.parse(answer.text) as { access_token: string; refresh_token: string };
      session.access = body.access_token;
      session.refresh = body.refresh_token;
    } finally {
      session.busy = false;
    }
  }

  async introspect(session: Session): Promise<void> {
    const answer = await this.call('introspect', `${this.info.issuer}/introspect`, {
      method: 'POST',
      headers: { 'content-type': FORM, authorization: this.basicRs },
      body: new URLSearchParams({ token: session.access }).toString(),
    });
    this.expect('introspect', answer, 200, '"active":true');
  }

  async toolCall(session: Session): Promise<void> {
    const plan = PLAN[session.role]!;
    const answer = await this.call('mcp', this.info.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${session.access}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: plan.tool, arguments: plan.args } }),
    });
    this.expect('mcp', answer, 200, '"result"');
    if (answer.text.includes('"isError":true')) throw new SoakFailure(`mcp: tool ${plan.tool} answered an error: ${answer.text.slice(0, 200)}`);
  }
}
