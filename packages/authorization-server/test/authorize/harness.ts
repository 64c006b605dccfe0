/**
 * In-process harness for the authorize, login and consent suites: the real
 * app on an in-memory SQLite store with a ManualClock, a seeded access
 * model, and a cookie-keeping "browser" that talks to it through
 * `app.request()` exactly as a user agent would (cookies, Origin header,
 * forms). Nothing here bypasses the HTTP surface except seeding.
 */
import { createHash } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { LocalEventBus, ManualClock, newId, type Client, type GatehouseEvent, type ScopeDefinition } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { clientRecord } from '@gatehouse-auth/store/testing';
import { createAuthorizationServerApp, resolveOptions, type PartialOptions } from '../../src/index.ts';

export const RESOURCE = 'https://mcp.acme.test/mcp';
export const REDIRECT = 'https://client.example/cb';
export const VERIFIER = 'a'.repeat(43) + 'verifier-for-tests-only';
export const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

export const SCOPES: ScopeDefinition[] = [
  { name: 'tickets:read', kind: 'org', allowedRoles: [], sensitivity: 'routine', optional: false, description: 'Read support tickets' },
  { name: 'tickets:write', kind: 'org', allowedRoles: [], sensitivity: 'routine', optional: true, description: 'Create and update support tickets' },
  { name: 'finance:reports:read', kind: 'org', allowedRoles: ['Management'], sensitivity: 'sensitive', optional: true, description: 'Read finance reports' },
  { name: 'payroll:runs:approve', kind: 'org', allowedRoles: ['Management'], sensitivity: 'critical', optional: false, description: 'Approve payroll runs' },
  { name: 'profile:read', kind: 'user', allowedRoles: [], sensitivity: 'routine', optional: true, description: 'Read your own profile' },
];

export interface Person {
  id: string;
  email: string;
  password: string;
}

export interface Harness {
  app: ReturnType<typeof createAuthorizationServerApp>;
  store: Store;
  clock: ManualClock;
  issuer: string;
  events: GatehouseEvent[];
  acme: string;
  globex: string;
  /** Engineering at Acme. */
  alice: Person;
  /** Management at Acme, Engineering at Globex. */
  bob: Person;
  /** No organization. */
  carol: Person;
  logs: string[];
}

// Cheap argon2id parameters keep the suite fast; verification reads them from the hash.
const quickHash = (password: string): Promise<string> => hash(password, { memoryCost: 1024, timeCost: 1, parallelism: 1 });

export async function createHarness(overrides: Omit<PartialOptions, 'issuer'> & { issuer?: string } = {}): Promise<Harness> {
  const store = await createStore('sqlite::memory:');
  const clock = new ManualClock();
  const events: GatehouseEvent[] = [];
  const bus = new LocalEventBus(() => clock.now());
  bus.subscribe((event) => {
    events.push(event);
  });
  const options = resolveOptions({ issuer: 'http://127.0.0.1:4444', ...overrides } as PartialOptions);
  const logs: string[] = [];
  const app = createAuthorizationServerApp({ store, events: bus, clock, options, log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`) });
  const now = clock.now();
  await store.roles.upsert({ name: 'Engineering', description: 'Builds the product', permissions: ['tickets'] });
  await store.roles.upsert({ name: 'Management', description: 'Runs the company', permissions: ['tickets', 'finance'] });
  for (const scope of SCOPES) await store.scopes.upsert(scope);
  const acme = newId('org');
  const globex = newId('org');
  await store.orgs.create({ id: acme, slug: 'acme', name: 'Acme Corp', auditRetentionDays: null, createdAt: now, updatedAt: now });
  await store.orgs.create({ id: globex, slug: 'globex', name: 'Globex', auditRetentionDays: null, createdAt: now, updatedAt: now });
  // Serves both orgs so the org picker has a choice (bob belongs to both).
  await store.resources.upsert({ uri: RESOURCE, name: 'Acme internal tools', scopes: SCOPES.map((s) => s.name), organizations: [acme, globex], multiTenant: false, createdAt: now, updatedAt: now });
  const person = async (email: string, password: string, memberships: Array<[string, string[]]>): Promise<Person> => {
    const id = newId('usr');
    await store.users.create({ id, email, name: email.split('@')[0] ?? email, passwordHash: await quickHash(password), status: 'active', createdAt: now, updatedAt: now });
    for (const [orgId, roles] of memberships) await store.orgs.upsertMembership({ userId: id, orgId, roles, createdAt: now, updatedAt: now });
    return { id, email, password };
  };
  const alice = await person('alice@acme.test', 'alice-password-1', [[acme, ['Engineering']]]);
  const bob = await person('bob@acme.test', 'bob-password-123', [
    [acme, ['Management']],
    [globex, ['Engineering']],
  ]);
  const carol = await person('carol@solo.test', 'carol-password-1', []);
  await addClient(store, { id: 'web-client', name: 'Acme Assistant', redirectUris: [REDIRECT, 'https://client.example/other'] });
  return { app, store, clock, issuer: options.issuer, events, acme, globex, alice, bob, carol, logs };
}

export async function addClient(store: Store, input: Partial<Client> & { id: string; name: string; redirectUris: string[] }): Promise<void> {
  await store.clients.upsert(clientRecord(input));
}

/** An authorization request URL (path + query) with valid defaults; `null` drops a parameter. */
export function authorizeUrl(params: Record<string, string | null> = {}): string {
  const defaults: Record<string, string> = {
    response_type: 'code',
    client_id: 'web-client',
    redirect_uri: REDIRECT,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    resource: RESOURCE,
    scope: 'tickets:read tickets:write',
    state: 'state-123',
  };
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...defaults, ...params })) if (value !== null) query.set(key, value);
  return `/authorize?${query.toString()}`;
}

/** A cookie-keeping user agent in front of the in-process app. */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly h: Harness,
    private readonly ip = '203.0.113.7',
  ) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has('cookie')) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const url = path.startsWith('http') ? path : `${this.h.issuer}${path}`;
    const response = await this.h.app.request(url, { ...init, headers }, { incoming: { socket: { remoteAddress: this.ip } } });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || attributes.some((a) => /max-age=0/i.test(a.trim()))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }

  /** A form POST from Gatehouse's own pages (Origin = the issuer's origin) unless headers say otherwise. */
  post(path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
    return this.request(path, {
      method: 'POST',
      body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(this.h.issuer).origin, ...headers },
    });
  }
}

export const csrfOf = (html: string): string => {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error(`no csrf field in page: ${html.slice(0, 300)}`);
  return match[1];
};

export const pathOf = (location: string | null): string => {
  if (!location) throw new Error('no Location header');
  const url = new URL(location, 'http://x');
  return `${url.pathname}${url.search}`;
};

export const interactionIdOf = (location: string | null): string => {
  const match = /(?:interaction=|\/interaction\/)(ia_[A-Za-z0-9_-]+)/.exec(location ?? '');
  if (!match?.[1]) throw new Error(`no interaction id in ${location}`);
  return match[1];
};

/** Starts an authorization and signs in through the login form; returns the response to the login POST. */
export async function startAndLogin(browser: TestBrowser, person: Person, params: Record<string, string | null> = {}): Promise<{ interactionId: string; response: Response }> {
  const started = await browser.get(authorizeUrl(params));
  if (started.status !== 302) throw new Error(`authorize answered ${started.status}: ${await started.text()}`);
  const location = started.headers.get('location');
  const interactionId = interactionIdOf(location);
  const loginPage = await browser.get(pathOf(location));
  const response = await browser.post('/login', { csrf: csrfOf(await loginPage.text()), interaction: interactionId, email: person.email, password: person.password });
  return { interactionId, response };
}

/** Signs in without a pending authorization. */
export async function signIn(browser: TestBrowser, person: Person): Promise<Response> {
  const page = await browser.get('/login');
  return browser.post('/login', { csrf: csrfOf(await page.text()), email: person.email, password: person.password });
}

/** Follows an authorization to the consent page for `person` (signing in when asked), picking `orgId` if asked. */
export async function reachConsent(
  browser: TestBrowser,
  person: Person,
  params: Record<string, string | null> = {},
  orgId?: string,
): Promise<{ interactionId: string; html: string; response: Response }> {
  const started = await browser.get(authorizeUrl(params));
  const location = started.headers.get('location') ?? '';
  const interactionId = interactionIdOf(location);
  if (location.includes('/login?')) {
    // Not signed in yet (or prompt=login): sign in through the form.
    const loginPage = await browser.get(pathOf(location));
    const response = await browser.post('/login', { csrf: csrfOf(await loginPage.text()), interaction: interactionId, email: person.email, password: person.password });
    if (response.status !== 303) throw new Error(`login answered ${response.status}`);
  }
  let page = await browser.get(`/interaction/${interactionId}`);
  let html = await page.text();
  if (html.includes('type="radio"')) {
    page = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'pick_org', org: orgId ?? '' });
    page = await browser.get(`/interaction/${interactionId}`);
    html = await page.text();
  }
  return { interactionId, html, response: page };
}

export function callbackParams(response: Response): URLSearchParams {
  const location = response.headers.get('location') ?? '';
  if (!location.startsWith(REDIRECT) && !location.startsWith('http://127.0.0.1') && !location.startsWith('https://client.example')) {
    throw new Error(`not a redirect to the client: ${response.status} ${location}`);
  }
  return new URL(location).searchParams;
}
