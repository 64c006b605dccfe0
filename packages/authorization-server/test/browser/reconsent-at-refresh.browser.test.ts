/**
 * Issue 16, item 1, in headless Chromium (the Debian package): Bob
 * consents to a critical scope, his agent keeps refreshing (injected
 * clock, 20 days a rotation); at the 90-day re-consent cadence the refresh
 * fails with invalid_grant however often it rotated; Bob goes through the
 * consent screen again and the agent's tokens work again.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { LocalEventBus, ManualClock } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { createAuthorizationServerApp, resolveOptions } from '../../src/index.ts';
import { listen, type Listening } from '../support/listen.ts';
import { addClient, CHALLENGE, RESOURCE, SCOPES, VERIFIER } from '../authorize/harness.ts';
import { hash } from '@node-rs/argon2';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DAY = 86_400_000;

let server: Listening;
let callback: Server;
let callbackUrl: string;
let store: Store;
let browser: Browser;
let app: ReturnType<typeof createAuthorizationServerApp>;
const clock = new ManualClock(Date.now());
const received: URL[] = [];

beforeAll(async () => {
  callback = createServer((req, res) => {
    const at = new URL(req.url ?? '/', callbackUrl);
    if (at.pathname === '/callback') received.push(at);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('Signed in. You can close this window.');
  });
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;

  server = await listen();
  store = await createStore('sqlite::memory:');
  const now = clock.now();
  await store.roles.upsert({ name: 'Management', description: '', permissions: [] });
  for (const scope of SCOPES) await store.scopes.upsert(scope);
  await store.resources.upsert({ uri: RESOURCE, name: 'Acme internal tools', scopes: SCOPES.map((s) => s.name), organizations: ['org_acme'], multiTenant: false, createdAt: now, updatedAt: now });
  await store.orgs.create({ id: 'org_acme', slug: 'acme', name: 'Acme Corp', auditRetentionDays: null, createdAt: now, updatedAt: now });
  await store.users.create({ id: 'usr_bob', email: 'bob@acme.test', name: 'Bob', passwordHash: await hash('bob-password-123'), status: 'active', createdAt: now, updatedAt: now });
  await store.orgs.upsertMembership({ userId: 'usr_bob', orgId: 'org_acme', roles: ['Management'], createdAt: now, updatedAt: now });
  await addClient(store, { id: 'payroll-agent', name: 'Payroll agent', redirectUris: ['http://127.0.0.1/callback'], applicationType: 'native' });
  const options = resolveOptions({ issuer: server.origin, criticalReconsentDays: 90, grantLifetimeDays: { critical: 365 } });
  app = createAuthorizationServerApp({ store, events: new LocalEventBus(), clock, options, log: () => {} });
  server.handle((request) => app.fetch(request));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => callback?.close(resolve));
  await store?.close();
});

function authorizationUrl(state: string): string {
  const url = new URL('/authorize', server.origin);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'payroll-agent',
    redirect_uri: callbackUrl,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    resource: RESOURCE,
    scope: 'tickets:read payroll:runs:approve',
    state,
  }).toString();
  return url.href;
}

/** Bob signs in and approves on the consent screen; returns the code the callback received. */
async function consentInChromium(state: string): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(authorizationUrl(state));
  await page.getByLabel('Email').fill('bob@acme.test');
  // Email first (issue 13), then the password step.
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password').fill('bob-password-123');
  await Promise.all([page.waitForURL(/\/interaction\//), page.getByRole('button', { name: 'Sign in' }).click()]);
  await expect.poll(() => page.getByRole('button', { name: 'Allow' }).count()).toBe(1);
  await expect(page.getByText('Approve payroll runs').first().isVisible()).resolves.toBe(true);
  await Promise.all([page.waitForURL((u) => u.href.startsWith(callbackUrl)), page.getByRole('button', { name: 'Allow' }).click()]);
  await context.close();
  const landed = received.at(-1)!;
  expect(landed.searchParams.get('state')).toBe(state);
  return landed.searchParams.get('code')!;
}

async function tokenRequest(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await app.request('/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: 'payroll-agent', ...form }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const redeem = (code: string) => tokenRequest({ grant_type: 'authorization_code', code, code_verifier: VERIFIER, redirect_uri: callbackUrl, resource: RESOURCE });
const refresh = (token: string) => tokenRequest({ grant_type: 'refresh_token', refresh_token: token });

describe('Re-consent cadence enforced at refresh, in a real browser', () => {
  it('a critical grant past its re-consent cadence fails at refresh and works again after consent in Chromium', async () => {
    const first = await redeem(await consentInChromium('first'));
    expect(first.status).toBe(200);
    let current = first.body.refresh_token as string;
    for (let i = 0; i < 4; i++) {
      clock.advance(20 * DAY);
      const rotated = await refresh(current);
      expect(rotated.status).toBe(200);
      current = rotated.body.refresh_token as string;
    }
    clock.advance(10 * DAY); // day 90 since the consent
    const refused = await refresh(current);
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    // The client sends Bob through consent again: the screen is shown (not skipped), and the new tokens work.
    const again = await redeem(await consentInChromium('again'));
    expect(again.status).toBe(200);
    expect(again.body.scope).toBe('tickets:read payroll:runs:approve');
    clock.advance(DAY);
    expect((await refresh(again.body.refresh_token as string)).status).toBe(200);
  });
});
