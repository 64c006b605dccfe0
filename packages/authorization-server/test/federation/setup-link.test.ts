/**
 * Issue 13 item 5, the hand-off to IT: an org admin (or the operator)
 * creates an expiring setup link for one org; whoever opens it can
 * configure that org's identity provider and nothing else. The token is
 * stored hashed, is no admin key, and dies at expiry or revocation.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '@gatehouse-auth/core';
import { createTestIdp } from '../../../sso/test/support/saml-idp.ts';
import { putIdentityProvider } from '../../src/federation/provider-admin.ts';
import { createHarness, csrfOf, signIn, TestBrowser, type Harness } from '../authorize/harness.ts';

const ADMIN_KEY = 'operator-admin-key-0123456789abcdef';
let h: Harness;
beforeEach(async () => {
  h = await createHarness({ adminKeyHash: sha256(ADMIN_KEY) });
});

const operator = (path: string, init: RequestInit = {}) =>
  h.app.request(`${h.issuer}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', ...init.headers } });

async function newLink(org = 'acme', body: unknown = {}): Promise<{ url: string; token: string }> {
  const response = await operator(`/admin/orgs/${org}/setup-links`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  const { url } = (await response.json()) as { url: string };
  return { url, token: url.slice(url.lastIndexOf('/') + 1) };
}

const OKTA = {
  id: 'okta',
  name: 'Acme Okta',
  issuer: 'https://acme.okta.test',
  client_id: 'gh-client',
  client_secret: 'it-typed-this-secret',
  groups_claim: 'groups',
  email_verified_claim: 'email_verified',
};

describe('setup links', () => {
  it('stores only the SHA-256 of the token, and the page shows the redirect URI and the SAML SP URLs', async () => {
    const { url, token } = await newLink();
    expect(url).toMatch(new RegExp(`^${h.issuer}/setup/[A-Za-z0-9_-]{43}$`));
    const [link] = await h.store.federation.listSetupLinks(h.acme);
    expect(link?.tokenHash).not.toContain(token);
    const page = await new TestBrowser(h).get(`/setup/${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Set up sign-in for Acme Corp');
    expect(html).toContain(`${h.issuer}/sso/acme/okta/callback`);
    expect(html).toContain(`${h.issuer}/sso/saml/acme/&lt;provider id&gt;/metadata`);
    expect(html).toContain(`${h.issuer}/sso/saml/acme/&lt;provider id&gt;/acs`);
  });

  it("configures that org's OIDC provider (stored in the database, secret never shown again) and routes its verified domain to it", async () => {
    const { token } = await newLink();
    const browser = new TestBrowser(h);
    const csrf = csrfOf(await (await browser.get(`/setup/${token}`)).text());
    const saved = await browser.post(`/setup/${token}/identity-providers`, { csrf, ...OKTA });
    expect(saved.status).toBe(303);
    const provider = await h.store.federation.getProvider(h.acme, 'okta');
    expect(provider).toMatchObject({ source: 'setup_link', type: 'oidc', settings: { issuer: 'https://acme.okta.test', client_id: 'gh-client', client_secret: 'it-typed-this-secret' } });
    expect(await h.store.federation.listProviders(h.globex)).toEqual([]);
    const page = await (await browser.get(saved.headers.get('location')!)).text();
    expect(page).toContain('Saved identity provider okta');
    expect(page).not.toContain('it-typed-this-secret');
    const listed = await (await operator('/admin/orgs/acme/identity-providers')).json();
    expect(listed).toMatchObject({ identity_providers: [{ id: 'okta', client_secret: '(set)' }] });
    expect(JSON.stringify(listed)).not.toContain('it-typed-this-secret');

    await h.store.federation.putDomain({ orgId: h.acme, name: 'acme.test', challenge: 'c', verifiedBy: 'config', verifiedAt: 1, createdAt: 1 });
    const login = new TestBrowser(h);
    const routed = await login.post('/login', { csrf: csrfOf(await (await login.get('/login')).text()), email: 'someone@acme.test' });
    expect(await routed.text()).toContain('Continue with Acme Okta');
  });

  it("creates, then rotates, the org's SCIM token, shown once; the rotated-out token no longer opens the org's directory", async () => {
    const { token } = await newLink();
    const browser = new TestBrowser(h);
    const page = await (await browser.get(`/setup/${token}`)).text();
    expect(page).toContain(`${h.issuer}/scim/v2/acme`);
    expect(page).toContain('Create SCIM token');
    const created = await (await browser.post(`/setup/${token}/scim-token`, { csrf: csrfOf(page) })).text();
    const first = /(ghscim_[A-Za-z0-9_-]+)/.exec(created)?.[1];
    expect(first).toBeDefined();
    expect(await h.store.scim.orgOfToken(sha256(first!))).toBe(h.acme);
    expect(created).toContain('Rotate SCIM token');
    const rotated = await (await browser.post(`/setup/${token}/scim-token`, { csrf: csrfOf(created) })).text();
    const second = /(ghscim_[A-Za-z0-9_-]+)/.exec(rotated)?.[1];
    expect(second).not.toBe(first);
    expect(await h.store.scim.orgOfToken(sha256(first!))).toBeUndefined();
    expect(await h.store.scim.orgOfToken(sha256(second!))).toBe(h.acme);
    expect(await (await browser.get(`/setup/${token}`)).text()).not.toContain(second!);
  });

  it("configures that org's SAML provider from the values an IdP console shows, and sign-in then starts at that IdP", async () => {
    const idp = createTestIdp();
    const { token } = await newLink();
    const browser = new TestBrowser(h);
    const csrf = csrfOf(await (await browser.get(`/setup/${token}`)).text());
    const form = { csrf, type: 'saml', id: 'okta-saml', name: 'Acme Okta SAML', entity_id: idp.entityId, sso_url: idp.ssoUrl, certificate: idp.keys.cert, groups_attribute: 'memberOf' };
    const saved = await browser.post(`/setup/${token}/identity-providers`, form);
    expect(saved.status).toBe(303);
    expect(await h.store.federation.getProvider(h.acme, 'okta-saml')).toMatchObject({
      source: 'setup_link',
      type: 'saml',
      settings: { entity_id: idp.entityId, sso_url: idp.ssoUrl, attributes: { groups: 'memberOf' } },
    });
    const start = await new TestBrowser(h).get('/sso/saml/acme/okta-saml/login');
    expect(start.status).toBe(302);
    expect(start.headers.get('location')).toMatch(new RegExp(`^${idp.ssoUrl}\\?SAMLRequest=`));
  });

  it('refuses SAML metadata by file or URL from a link (a server file read, a fetch of their choosing) and a plain-http SSO URL', async () => {
    const idp = createTestIdp();
    const { token } = await newLink();
    const browser = new TestBrowser(h);
    const csrf = csrfOf(await (await browser.get(`/setup/${token}`)).text());
    const pasted = { csrf, type: 'saml', id: 'okta-saml', entity_id: idp.entityId, sso_url: idp.ssoUrl, certificate: idp.keys.cert };
    const insecure = await browser.post(`/setup/${token}/identity-providers`, { ...pasted, sso_url: 'http://idp.acme.test/sso' });
    expect(insecure.status).toBe(400);
    expect(await insecure.text()).toContain('must be an https URL');
    // The form offers no metadata fields; the JSON shape behind it is refused the same way when sent through the link's handler.
    const ctx = { store: h.store, events: { publish: async () => {} }, clock: h.clock } as unknown as Parameters<typeof putIdentityProvider>[0];
    const actor = { kind: 'system', id: 'setup-link' } as const;
    for (const metadata of [{ metadata_file: '/etc/passwd' }, { metadata_url: 'https://169.254.169.254/latest/meta-data' }]) {
      await expect(putIdentityProvider(ctx, h.acme, 'meta', { type: 'saml', ...metadata }, 'setup_link', actor)).rejects.toThrow(/metadata files and URLs are for the operator/);
    }
    expect(await h.store.federation.getProvider(h.acme, 'meta')).toBeUndefined();
    expect(await h.store.federation.getProvider(h.acme, 'okta-saml')).toBeUndefined();
  });

  it('refuses an http issuer from a link, and a form without its CSRF token', async () => {
    const { token } = await newLink();
    const browser = new TestBrowser(h);
    const csrf = csrfOf(await (await browser.get(`/setup/${token}`)).text());
    const insecure = await browser.post(`/setup/${token}/identity-providers`, { csrf, ...OKTA, issuer: 'http://169.254.169.254' });
    expect(insecure.status).toBe(400);
    expect(await insecure.text()).toContain('must be an https URL');
    expect((await browser.post(`/setup/${token}/identity-providers`, { ...OKTA })).status).toBe(403);
    expect(await h.store.federation.listProviders(h.acme)).toEqual([]);
  });

  it('gives no other access: the token is not an operator key, and opens nothing of another org', async () => {
    const { token } = await newLink();
    const asAdmin = await h.app.request(`${h.issuer}/admin/orgs/acme/identity-providers`, { headers: { authorization: `Bearer ${token}` } });
    expect(asAdmin.status).toBe(401);
    const asOrgAdmin = await h.app.request(`${h.issuer}/account/orgs/${h.acme}/grants`, { headers: { authorization: `Bearer ${token}` } });
    expect(asOrgAdmin.status).not.toBe(200);
    const browser = new TestBrowser(h);
    await browser.get(`/setup/${token}`);
    expect([...browser.cookies.keys()].some((name) => name.includes('session'))).toBe(false);
  });

  it('is dead after it expires, and after the operator revokes the org’s links (same page as an unknown link)', async () => {
    const { token } = await newLink('acme', { expires_in_seconds: 3600 });
    h.clock.advance(3600 * 1000);
    expect((await new TestBrowser(h).get(`/setup/${token}`)).status).toBe(404);
    const second = await newLink();
    expect((await operator('/admin/orgs/acme/setup-links/revoke', { method: 'POST' })).status).toBe(200);
    const revoked = await new TestBrowser(h).get(`/setup/${second.token}`);
    expect(revoked.status).toBe(404);
    expect(await revoked.text()).toContain('does not exist, has expired or was revoked');
  });

  it("an org's own admin creates a link for their org; a plain member cannot", async () => {
    await h.store.roles.upsert({ name: 'Management', description: 'Runs the company', permissions: ['tickets', 'finance', 'gatehouse:org:admin'] });
    const create = async (person: Harness['bob']) => {
      const browser = new TestBrowser(h);
      await signIn(browser, person);
      const grants = await browser.get(`/account/orgs/${h.acme}/grants`);
      const csrf = grants.status === 200 ? ((await grants.json()) as { csrf_token: string }).csrf_token : '';
      return browser.request(`/account/orgs/${h.acme}/setup-links`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, origin: h.issuer } });
    };
    const byAdmin = await create(h.bob);
    expect(byAdmin.status).toBe(201);
    expect(((await byAdmin.json()) as { url: string }).url).toMatch(/\/setup\//);
    expect((await create(h.alice)).status).toBe(403);
  });
});
