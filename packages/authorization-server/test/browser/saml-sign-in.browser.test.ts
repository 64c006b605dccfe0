/**
 * Issue 13, Must-show (SAML half), in headless Chromium: a person starts
 * sign-in at Gatehouse's /sso/saml/acme/okta/login, signs in at a samlify
 * IdP served on another site (`localhost` against Gatehouse's `127.0.0.1`,
 * so the IdP's form POST to the ACS is cross-site, as in production), and
 * comes back signed in. The ACS POST carries none of Gatehouse's
 * SameSite=Lax cookies (the premise of the ACS → /complete design), and
 * the identity handed to signIn is what the IdP asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createStore, type Store } from '@gatehouse-auth/store';
import { createTestIdp } from '../../../sso/test/support/saml-idp.ts';
import { idpHandler } from '../../../sso/test/support/saml-idp-server.ts';
import { launchBrowser } from '../support/browser.ts';
import { listen, type Listening } from '../support/listen.ts';
import { createSamlHarness, type SamlHarness } from '../federation/saml-harness.ts';

let gatehouse: Listening;
let idpServer: Listening;
let store: Store;
let browser: Browser;
let h: SamlHarness;
const acsCookies: (string | null)[] = [];

beforeAll(async () => {
  gatehouse = await listen();
  idpServer = await listen();
  // The IdP on another site: `localhost` and `127.0.0.1` are different sites to the browser.
  const idpOrigin = `http://localhost:${idpServer.port}`;
  const idp = createTestIdp({ entityId: `${idpOrigin}/metadata`, ssoUrl: `${idpOrigin}/sso` });
  store = await createStore('sqlite::memory:');
  h = createSamlHarness(
    store,
    idp,
    async (_c, _ctx, identity) => {
      h.signIns.push(identity);
      return new Response(`<!doctype html><title>Signed in</title><p>Signed in as ${identity.subject}</p>`, { headers: { 'content-type': 'text/html' } });
    },
    gatehouse.origin,
  );
  gatehouse.handle((request) => {
    if (request.method === 'POST' && new URL(request.url).pathname.endsWith('/acs')) acsCookies.push(request.headers.get('cookie'));
    return h.app.fetch(request);
  });
  idpServer.handle(
    idpHandler(idp, () => ({ nameId: 'dave@acme.test', attributes: { email: 'dave@acme.test', name: 'Dave Doe', groups: ['eng'] } }), `${gatehouse.origin}/sso/saml/acme/okta/metadata`),
  );
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await gatehouse?.close();
  await idpServer?.close();
  await store?.close();
});

describe('SAML sign-in in Chromium with a samlify IdP on another site', () => {
  it('signs the person in through the IdP, the cross-site ACS POST and this browser’s completion ticket', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${gatehouse.origin}/sso/saml/acme/okta/login`);
      expect(page.url().startsWith(`http://localhost:${idpServer.port}/sso?SAMLRequest=`)).toBe(true);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForLoadState();
      await Promise.all([page.waitForURL(`${gatehouse.origin}/sso/saml/acme/okta/complete?**`), page.getByRole('button', { name: 'Continue' }).click()]);
      expect(await page.textContent('body')).toContain('Signed in as dave@acme.test');
      expect(h.signIns).toEqual([{ protocol: 'saml', org: 'acme', provider: 'okta', subject: 'dave@acme.test', email: 'dave@acme.test', emailVerified: true, name: 'Dave Doe', groups: ['eng'] }]);
      // Chromium really did keep Gatehouse's Lax browser cookie off the IdP's cross-site POST.
      expect(acsCookies).toEqual([null]);
      expect((await context.cookies(gatehouse.origin)).map((c) => c.name)).toContain('gatehouse_browser');
    } finally {
      await context.close();
    }
  });
});
