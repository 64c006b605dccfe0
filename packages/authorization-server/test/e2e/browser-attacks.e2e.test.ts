/**
 * Attacks that only a real browser can judge: whether a page renders inside
 * another site's frame, which headers and cookies a cross-site form really
 * carries, and where the browser actually navigates. The attacker's pages
 * are served from `localhost`, a different site from Gatehouse's
 * `127.0.0.1`. Each test asserts what the attacker gets: nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { browserLogin, launchBrowser } from '../support/browser.ts';
import { listen, type Listening } from '../support/listen.ts';
import { registerTestClient } from '../support/seed.ts';
import { DEFAULT_TEST_RESOURCE, startTestGatehouse, type TestGatehouse } from '../support/test-gatehouse.ts';

const REDIRECT_URI = 'http://127.0.0.1:8978/callback';
const CLIENT_ID = 'e2e-attacked-app';

let gatehouse: TestGatehouse;
let browser: Browser;
let attacker: Listening;
let attackerPage = '';

beforeAll(async () => {
  gatehouse = await startTestGatehouse();
  await registerTestClient(gatehouse.store, { id: CLIENT_ID, name: 'Attacked app', redirectUris: [REDIRECT_URI] });
  attacker = await listen(() => new Response(attackerPage, { headers: { 'content-type': 'text/html' } }));
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await attacker?.close();
  await gatehouse?.close();
});

/** The attacker's origin: same machine, another site (host `localhost`, not `127.0.0.1`). */
const attackerOrigin = () => `http://localhost:${attacker.port}`;

function authorizationUrl(redirectUri = REDIRECT_URI): string {
  return `${gatehouse.issuer}/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri,
    state: 'victim-state',
    scope: 'tickets:read',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    resource: DEFAULT_TEST_RESOURCE,
  })}`;
}

/** Every navigation the page's frames attempt, in order. */
function recordNavigations(page: Page): string[] {
  const navigations: string[] = [];
  page.on('request', (request) => {
    if (request.isNavigationRequest()) navigations.push(request.url());
  });
  return navigations;
}

describe('Clickjacking (RFC 9700 §4.16): Gatehouse pages do not render inside another site', () => {
  it('the browser fetches the login page for a cross-site iframe but renders no password field in it', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      let loginServed = false;
      page.on('response', (response) => {
        if (response.url().startsWith(`${gatehouse.issuer}/login`) && response.status() === 200) loginServed = true;
      });
      attackerPage = `<!doctype html><title>Win a prize</title><iframe id="victim" src="${authorizationUrl()}"></iframe>`;
      await page.goto(`${attackerOrigin()}/prize`);
      await expect.poll(() => loginServed, { timeout: 10_000 }).toBe(true);
      const framed = page.frames().filter((frame) => frame !== page.mainFrame());
      expect(framed).toHaveLength(1);
      const frame = framed[0]!;
      // Chromium replaces a frame it refuses to render (X-Frame-Options / frame-ancestors) with its error document.
      await expect.poll(() => frame.url(), { timeout: 10_000 }).toBe('chrome-error://chromewebdata/');
      expect(await frame.locator('input[type=password]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});

describe('Cross-site request forgery of consent ([BP] consent CSRF protection)', () => {
  it('a consent "Allow" auto-submitted from another site is refused with 403 and the client receives no code', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const navigations = recordNavigations(page);
      // The victim has signed in and has Gatehouse's consent page open (not yet answered).
      await page.goto(authorizationUrl());
      const consentUrl = await browserLogin(page, { ...gatehouse.model.alice, until: (url) => url.includes('/interaction/') });
      expect(await page.getByRole('button', { name: /allow/i }).count()).toBe(1);
      // Even a leaked CSRF token must not help a cross-site POST.
      const csrf = await page.locator('input[name=csrf]').first().inputValue();
      const action = await page.locator('form').first().getAttribute('action');
      expect(action).toBe(consentUrl);
      attackerPage = `<!doctype html><form id="f" method="post" action="${action}">
<input name="csrf" value="${csrf}"><input name="scope" value="tickets:read"><input name="action" value="approve"></form>
<script>document.getElementById('f').submit()</script>`;
      const forged = page.waitForResponse((response) => response.url() === consentUrl && response.request().method() === 'POST');
      await page.goto(`${attackerOrigin()}/innocent`);
      expect((await forged).status()).toBe(403);
      await page.waitForLoadState('domcontentloaded');
      expect(navigations.filter((url) => url.startsWith(REDIRECT_URI))).toEqual([]);
      expect(await page.locator('body').innerText()).not.toContain('code=');
    } finally {
      await context.close();
    }
  });
});

describe('Open redirector (RFC 6749 §4.1.2.1, RFC 9700 §4.11): an unregistered redirect_uri is never followed', () => {
  it('the browser stays on a Gatehouse error page and never navigates to the attacker', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const navigations = recordNavigations(page);
      const evil = `${attackerOrigin()}/steal`;
      const response = await page.goto(authorizationUrl(evil));
      expect(response?.status()).toBeGreaterThanOrEqual(400);
      expect(new URL(page.url()).origin).toBe(new URL(gatehouse.issuer).origin);
      expect(navigations.filter((url) => url.startsWith(attackerOrigin()))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
