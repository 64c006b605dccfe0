import { afterEach, describe, expect, it } from 'vitest';
import { sha256 } from '@gatehouse-auth/core';
import { startHarness, testClient, type Harness } from './harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const NATIVE = {
  application_type: 'native',
  client_name: 'Claude Code',
  redirect_uris: ['http://127.0.0.1/callback'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};

async function register(h: Harness, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return h.app.request('https://as.example/register', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function errorOf(response: Response): Promise<{ status: number; error: string }> {
  const body = (await response.json()) as { error: string };
  return { status: response.status, error: body.error };
}

describe('RFC 7591 §3.2.1 successful registration', () => {
  it('answers 201 with the generated client_id, issued-at time and every registered field', async () => {
    harness = await startHarness();
    const response = await register(harness, NATIVE);
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      client_id: expect.any(String),
      client_id_issued_at: Math.floor(harness.clock.now() / 1000),
      client_name: 'Claude Code',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    });
    expect(body).not.toHaveProperty('client_secret');
    expect(await harness.store.clients.get(body.client_id as string)).toMatchObject({ kind: 'dynamic', tokenEndpointAuthMethod: 'none', secretHash: null });
    expect(harness.events).toContainEqual(expect.objectContaining({ type: 'client.registered', clientId: body.client_id }));
  });

  it('issues a confidential client a secret once and stores only its SHA-256', async () => {
    harness = await startHarness();
    const response = await register(harness, { ...NATIVE, application_type: 'web', redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'client_secret_post' });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(201);
    expect(body.client_secret).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]{43}$/));
    expect(body.client_secret_expires_at).toBe(0);
    const stored = await harness.store.clients.get(body.client_id as string);
    expect(stored?.secretHash).toBe(sha256(body.client_secret as string));
    expect(JSON.stringify(stored)).not.toContain(body.client_secret as string);
  });

  it('defaults token_endpoint_auth_method to client_secret_basic (RFC 7591 §2)', async () => {
    harness = await startHarness();
    const { token_endpoint_auth_method: _omitted, ...rest } = NATIVE;
    const body = (await (await register(harness, rest)).json()) as Record<string, unknown>;
    expect(body.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(body.client_secret).toEqual(expect.any(String));
  });

  it('accepts a 2025 client that omits application_type and infers native from loopback redirects', async () => {
    harness = await startHarness();
    const { application_type: _omitted, ...rest } = NATIVE;
    const response = await register(harness, { ...rest, redirect_uris: ['http://localhost:6274/oauth/callback'] });
    expect(response.status).toBe(201);
    expect(((await response.json()) as Record<string, unknown>).application_type).toBe('native');
  });
});

describe('RFC 9700 §4.15 client impersonation through registration', () => {
  it('ignores a client_id the client tries to choose', async () => {
    harness = await startHarness();
    const victim = testClient(harness.clock, { id: 'victim', redirectUris: ['https://victim.example/cb'] });
    await harness.store.clients.create(victim);
    const response = await register(harness, { ...NATIVE, client_id: 'victim' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.client_id).not.toBe('victim');
    expect(await harness.store.clients.get('victim')).toEqual(victim);
  });

  it('never generates a client_id that starts with https:// (reserved for metadata documents)', async () => {
    harness = await startHarness();
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const body = (await (await register(harness, NATIVE)).json()) as Record<string, unknown>;
      ids.add(body.client_id as string);
    }
    expect(ids.size).toBe(20);
    for (const id of ids) expect(id).not.toMatch(/^https?:/i);
  });

  it('ignores a client_secret the client tries to choose', async () => {
    harness = await startHarness();
    const body = (await (await register(harness, { ...NATIVE, token_endpoint_auth_method: 'client_secret_basic', client_secret: 'chosen-by-attacker' })).json()) as Record<string, unknown>;
    expect(body.client_secret).not.toBe('chosen-by-attacker');
    const stored = await harness.store.clients.get(body.client_id as string);
    expect(stored?.secretHash).not.toBe(sha256('chosen-by-attacker'));
  });
});

describe('DCR abuse: redirect URIs (RFC 7591 §3.2.2 invalid_redirect_uri)', () => {
  it.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['blob:', 'blob:https://app.example/1'],
    ['file:', 'file:///etc/passwd'],
    ['about:', 'about:blank'],
  ])('rejects the %s scheme', async (_name, uri) => {
    harness = await startHarness();
    expect(await errorOf(await register(harness, { ...NATIVE, redirect_uris: [uri] }))).toEqual({ status: 400, error: 'invalid_redirect_uri' });
  });

  it.each([
    ['a fragment', 'https://app.example/cb#x'],
    ['http on a non-loopback host', 'http://app.example/cb'],
    ['a relative URI', '/cb'],
    ['an empty string', ''],
  ])('rejects %s', async (_name, uri) => {
    harness = await startHarness();
    expect(await errorOf(await register(harness, { ...NATIVE, redirect_uris: [uri] }))).toEqual({ status: 400, error: 'invalid_redirect_uri' });
  });

  it('rejects a bad URI hidden after a good one', async () => {
    harness = await startHarness();
    expect(await errorOf(await register(harness, { ...NATIVE, redirect_uris: ['http://127.0.0.1/cb', 'javascript:alert(1)'] }))).toEqual({ status: 400, error: 'invalid_redirect_uri' });
  });

  it('rejects a missing or empty redirect_uris', async () => {
    harness = await startHarness();
    const { redirect_uris: _omitted, ...rest } = NATIVE;
    expect(await errorOf(await register(harness, rest))).toEqual({ status: 400, error: 'invalid_redirect_uri' });
    expect(await errorOf(await register(harness, { ...NATIVE, redirect_uris: [] }))).toEqual({ status: 400, error: 'invalid_redirect_uri' });
  });

  it('rejects loopback and app-scheme redirects for a client that says it is a web application', async () => {
    harness = await startHarness();
    expect(await errorOf(await register(harness, { ...NATIVE, application_type: 'web' }))).toEqual({ status: 400, error: 'invalid_redirect_uri' });
  });

  it('rejects https://localhost with the implicit grant (response_type token is not supported)', async () => {
    harness = await startHarness();
    const response = await register(harness, { ...NATIVE, redirect_uris: ['https://localhost/cb'], response_types: ['token'], grant_types: ['implicit'] });
    expect(await errorOf(response)).toEqual({ status: 400, error: 'invalid_client_metadata' });
  });

  it('rejects more redirect URIs than maxRedirectUris', async () => {
    harness = await startHarness({ dynamicRegistration: { maxBodyBytes: 1_000_000 } });
    const uris = Array.from({ length: 11 }, (_, i) => `https://app.example/cb${i}`);
    expect(await errorOf(await register(harness, { ...NATIVE, application_type: 'web', redirect_uris: uris }))).toEqual({ status: 400, error: 'invalid_redirect_uri' });
  });
});

describe('DCR abuse: client metadata rendered to people (invalid_client_metadata)', () => {
  it.each(['logo_uri', 'policy_uri', 'tos_uri', 'client_uri'])('rejects a %s that is not https', async (field) => {
    harness = await startHarness();
    for (const value of ['http://app.example/x', 'javascript:alert(1)', 'data:image/png;base64,AAAA']) {
      expect(await errorOf(await register(harness, { ...NATIVE, [field]: value })), value).toEqual({ status: 400, error: 'invalid_client_metadata' });
    }
  });

  it.each([
    ['an unsupported auth method', { token_endpoint_auth_method: 'private_key_jwt' }],
    ['an unsupported grant type', { grant_types: ['authorization_code', 'password'] }],
    ['grant types without authorization_code', { grant_types: ['refresh_token'] }],
    ['an unknown application_type', { application_type: 'desktop' }],
    ['a malformed scope', { scope: 'tickets:read  "x"' }],
    ['an empty client_name', { client_name: '   ' }],
  ])('rejects %s', async (_name, patch) => {
    harness = await startHarness();
    expect(await errorOf(await register(harness, { ...NATIVE, ...patch }))).toEqual({ status: 400, error: 'invalid_client_metadata' });
  });

  it('rejects a body that is not a JSON object', async () => {
    harness = await startHarness();
    expect(await errorOf(await register(harness, '[1,2]'))).toEqual({ status: 400, error: 'invalid_client_metadata' });
    expect(await errorOf(await register(harness, '{not json'))).toEqual({ status: 400, error: 'invalid_client_metadata' });
  });

  it('rejects a form-encoded body', async () => {
    harness = await startHarness();
    const response = await harness.app.request('https://as.example/register', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'redirect_uris=https://app.example/cb',
    });
    expect(await errorOf(response)).toEqual({ status: 400, error: 'invalid_client_metadata' });
  });
});

describe('DCR abuse: size and rate limits', () => {
  it('answers 413 to a 1 MB body declared in Content-Length, and registers nothing', async () => {
    harness = await startHarness();
    const huge = JSON.stringify({ ...NATIVE, client_name: 'x'.repeat(1_000_000) });
    const response = await register(harness, huge, { 'content-length': String(Buffer.byteLength(huge)) });
    expect(response.status).toBe(413);
    expect(await harness.store.clients.list()).toEqual([]);
  });

  it('answers 413 to an oversized body streamed without Content-Length', async () => {
    harness = await startHarness();
    const chunk = new TextEncoder().encode(' '.repeat(1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 1024) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await harness.app.request('https://as.example/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(1024);
  });

  it('answers 413 to 10,000 redirect URIs (over the body cap before any is parsed)', async () => {
    harness = await startHarness();
    const body = JSON.stringify({ ...NATIVE, redirect_uris: Array.from({ length: 10_000 }, (_, i) => `http://127.0.0.1/cb${i}`) });
    expect((await register(harness, body)).status).toBe(413);
  });

  it('answers 429 with Retry-After once an address exceeds the registrations per minute, and again after the window', async () => {
    harness = await startHarness({ registrationRateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await register(harness, NATIVE)).status).toBe(201);
    const limited = await register(harness, NATIVE);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await harness.store.clients.list()).toHaveLength(3);
    harness.clock.advance(retryAfter * 1000);
    expect((await register(harness, NATIVE)).status).toBe(201);
  });

  it('counts each client network separately (IPv4 /24, IPv6 /64; the address login throttling uses)', async () => {
    harness = await startHarness({ registrationRateLimitPerMinute: 2 });
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    expect((await register(harness, NATIVE, from('203.0.113.1'))).status).toBe(201);
    expect((await register(harness, NATIVE, from('203.0.113.1'))).status).toBe(201);
    expect((await register(harness, NATIVE, from('203.0.113.2'))).status).toBe(429);
    expect((await register(harness, NATIVE, from('198.51.100.2'))).status).toBe(201);
  });

  it('counts rejected requests too (a flood of invalid bodies is still a flood)', async () => {
    harness = await startHarness({ registrationRateLimitPerMinute: 2 });
    await register(harness, { redirect_uris: ['javascript:x'] });
    await register(harness, { redirect_uris: ['javascript:x'] });
    expect((await register(harness, NATIVE)).status).toBe(429);
  });
});

describe('RFC 7592 §2.1 reading a registration', () => {
  it('returns the registration for the right registration access token, without the secret', async () => {
    harness = await startHarness();
    const created = (await (await register(harness, { ...NATIVE, token_endpoint_auth_method: 'client_secret_basic' })).json()) as Record<string, string>;
    expect(created.registration_client_uri).toBe(`https://as.example/register/${created.client_id}`);
    const response = await harness.app.request(created.registration_client_uri as string, { headers: { authorization: `Bearer ${created.registration_access_token}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.client_id).toBe(created.client_id);
    expect(body).not.toHaveProperty('client_secret');
    expect(body).not.toHaveProperty('registration_access_token');
  });

  it("answers 401 to a wrong registration access token, a missing one, or another client's", async () => {
    harness = await startHarness();
    const a = (await (await register(harness, NATIVE)).json()) as Record<string, string>;
    const b = (await (await register(harness, NATIVE)).json()) as Record<string, string>;
    for (const authorization of [`Bearer ${a.registration_access_token}x`, '', `Bearer ${b.registration_access_token}`, `Basic ${a.registration_access_token}`]) {
      const response = await harness.app.request(a.registration_client_uri as string, { headers: authorization ? { authorization } : {} });
      expect(response.status, authorization).toBe(401);
      expect(((await response.json()) as Record<string, unknown>).error).toBe('invalid_token');
    }
  });

  it('stores the registration access token only as its hash', async () => {
    harness = await startHarness();
    const created = (await (await register(harness, NATIVE)).json()) as Record<string, string>;
    const stored = await harness.store.clients.get(created.client_id as string);
    expect(stored?.registrationAccessTokenHash).toBe(sha256(created.registration_access_token as string));
  });
});

describe('Dynamic registration switched off', () => {
  it('has no /register endpoint', async () => {
    harness = await startHarness({ dynamicRegistration: { enabled: false } });
    expect((await register(harness, NATIVE)).status).toBe(404);
  });

  it('serves /register under the issuer path when the issuer has one', async () => {
    harness = await startHarness({ issuer: 'https://as.example/tenant-a' });
    const response = await harness.app.request('https://as.example/tenant-a/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(NATIVE) });
    expect(response.status).toBe(201);
  });
});
