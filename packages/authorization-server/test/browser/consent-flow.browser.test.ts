/**
 * A person in headless Chromium (the Debian package, never a downloaded
 * browser): types into the login fields found by their labels, picks an
 * organization, unticks an optional scope, approves, and lands on the
 * client's local callback server with code, state and iss. Also checks that
 * the pages' CSP lets the final redirect leave the form (form-action).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { LocalEventBus, sha256, systemClock } from '@gatehouse-auth/core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { createAuthorizationServerApp, resolveOptions } from '../../src/index.ts';
import { listen, type Listening } from '../support/listen.ts';
import { addClient, CHALLENGE, RESOURCE, SCOPES } from '../authorize/harness.ts';
import { hash } from '@node-rs/argon2';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server: Listening;
let callback: Server;
let callbackUrl: string;
let store: Store;
let browser: Browser;
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
  const now = Date.now();
  await store.roles.upsert({ name: 'Engineering', description: '', permissions: [] });
  await store.roles.upsert({ name: 'Management', description: '', permissions: [] });
  for (const scope of SCOPES) await store.scopes.upsert(scope);
  await store.resources.upsert({
    uri: RESOURCE,
    name: 'Acme internal tools',
    scopes: SCOPES.map((s) => s.name),
    organizations: ['org_acme', 'org_globex'],
    multiTenant: false,
    createdAt: now,
    updatedAt: now,
  });
  for (const [id, name] of [
    ['org_acme', 'Acme Corp'],
    ['org_globex', 'Globex'],
  ] as const) {
    await store.orgs.create({ id, slug: id, name, auditRetentionDays: null, createdAt: now, updatedAt: now });
  }
  await store.users.create({ id: 'usr_bob', email: 'bob@acme.test', name: 'Bob', passwordHash: await hash('bob-password-123'), status: 'active', createdAt: now, updatedAt: now });
  await store.orgs.upsertMembership({ userId: 'usr_bob', orgId: 'org_acme', roles: ['Management'], createdAt: now, updatedAt: now });
  await store.orgs.upsertMembership({ userId: 'usr_bob', orgId: 'org_globex', roles: ['Engineering'], createdAt: now, updatedAt: now });
  await store.users.create({ id: 'usr_alice', email: 'alice@acme.test', name: 'Alice', passwordHash: await hash('alice-password-1'), status: 'active', createdAt: now, updatedAt: now });
  await store.orgs.upsertMembership({ userId: 'usr_alice', orgId: 'org_acme', roles: ['Engineering'], createdAt: now, updatedAt: now });
  await addClient(store, { id: 'desktop-app', name: 'Desktop <Assistant>', redirectUris: ['http://127.0.0.1/callback'], applicationType: 'native' });
  const app = createAuthorizationServerApp({ store, events: new LocalEventBus(), clock: systemClock, options: resolveOptions({ issuer: server.origin }), log: () => {} });
  server.handle((request) => app.fetch(request));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => callback?.close(resolve));
  await store?.close();
});

function authorizationUrl(state: string, scope: string): string {
  const url = new URL('/authorize', server.origin);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'desktop-app',
    redirect_uri: callbackUrl,
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    resource: RESOURCE,
    scope,
    state,
  }).toString();
  return url.href;
}

describe('Login, org choice and consent in a real browser', () => {
  it('logs in by label, picks an org, unticks an optional scope, approves and reaches the callback with code, state and iss', async () => {
    const state = `st-${'é&='.repeat(3)}-${Date.now()}`;
    const url = new URL('/authorize', server.origin);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'desktop-app',
      redirect_uri: callbackUrl,
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
      resource: RESOURCE,
      scope: 'tickets:read tickets:write finance:reports:read',
      state,
    }).toString();

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url.href);
    await page.getByLabel('Email').fill('bob@acme.test');
    // Email first (issue 13), then the password step.
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill('bob-password-123');
    await Promise.all([page.waitForURL(/\/interaction\//), page.getByRole('button', { name: 'Sign in' }).click()]);

    await page.getByRole('radio', { name: 'Acme Corp' }).check();
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Continue' }).click()]);

    await expect.poll(() => page.getByRole('button', { name: 'Allow' }).count()).toBe(1);
    await expect(page.getByText('only redirects to your own computer').count()).resolves.toBe(1);
    await expect(page.getByText('Desktop <Assistant>').first().isVisible()).resolves.toBe(true);
    const write = page.getByRole('checkbox', { name: /Create and update support tickets/ });
    const read = page.getByRole('checkbox', { name: /Read support tickets/ });
    await expect(read.isDisabled()).resolves.toBe(true);
    await expect(read.isChecked()).resolves.toBe(true);
    await write.uncheck();
    await Promise.all([page.waitForURL((u) => u.href.startsWith(callbackUrl)), page.getByRole('button', { name: 'Allow' }).click()]);

    const landed = received.at(-1);
    expect(landed?.pathname).toBe('/callback');
    expect(landed?.searchParams.get('state')).toBe(state);
    expect(landed?.searchParams.get('iss')).toBe(server.origin);
    const code = landed?.searchParams.get('code') ?? '';
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const consumed = await store.codes.consume(sha256(code), Date.now());
    expect(consumed.status).toBe('consumed');
    if (consumed.status === 'consumed') {
      expect(consumed.code.scopes).toEqual(['tickets:read', 'finance:reports:read']);
      expect(consumed.code.orgId).toBe('org_acme');
      expect(consumed.code.redirectUri).toBe(callbackUrl);
    }
    await context.close();
  });

  it('shows a greyed-out org scope to an Engineering member, and after approval a later sign-in goes straight back to the client (CSP lets the login form end at the callback)', async () => {
    const first = await browser.newContext();
    const page = await first.newPage();
    await page.goto(authorizationUrl('first', 'tickets:read finance:reports:read'));
    await page.getByLabel('Email').fill('alice@acme.test');
    // Email first (issue 13), then the password step.
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill('alice-password-1');
    await Promise.all([page.waitForURL(/\/interaction\//), page.getByRole('button', { name: 'Sign in' }).click()]);
    const finance = page.getByRole('checkbox', { name: /Read finance reports/ });
    await expect(finance.isDisabled()).resolves.toBe(true);
    await expect(page.getByText('Only Management can grant this').isVisible()).resolves.toBe(true);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(callbackUrl)), page.getByRole('button', { name: 'Allow' }).click()]);
    expect(received.at(-1)?.searchParams.get('state')).toBe('first');
    await first.close();

    const second = await browser.newContext();
    const again = await second.newPage();
    await again.goto(authorizationUrl('second', 'tickets:read'));
    await again.getByLabel('Email').fill('alice@acme.test');
    // Email first (issue 13), then the password step.
    await again.getByRole('button', { name: 'Continue' }).click();
    await again.getByLabel('Password').fill('alice-password-1');
    await Promise.all([again.waitForURL((u) => u.href.startsWith(callbackUrl)), again.getByRole('button', { name: 'Sign in' }).click()]);
    const landed = received.at(-1);
    expect(landed?.searchParams.get('state')).toBe('second');
    expect(landed?.searchParams.get('iss')).toBe(server.origin);
    expect(landed?.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await second.close();
  });
});
