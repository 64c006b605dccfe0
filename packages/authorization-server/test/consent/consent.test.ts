/**
 * Consent rules (docs/consent.md): org scopes the user's role cannot grant
 * are greyed out and never granted, even by a forged POST; optional scopes
 * can be unticked; required ones are locked; the user can approve fewer
 * scopes than asked, never more; the org picker; what the screen shows.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '@gatehouse-auth/core';
import { addClient, callbackParams, createHarness, csrfOf, reachConsent, RESOURCE, startAndLogin, TestBrowser, type Harness } from '../authorize/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

async function codeScopes(response: Response): Promise<string[]> {
  const code = callbackParams(response).get('code');
  expect(code).toBeTruthy();
  const consumed = await h.store.codes.consume(sha256(code ?? ''), h.clock.now());
  if (consumed.status !== 'consumed') throw new Error('code not found');
  return consumed.code.scopes;
}

/** The <li> of one scope on the consent page. */
const itemOf = (html: string, scope: string): string => {
  const match = new RegExp(`<li[^>]*>(?:(?!</li>)[\\s\\S])*value="${scope}"(?:(?!</li>)[\\s\\S])*</li>`).exec(html);
  if (!match) throw new Error(`scope ${scope} not on the page`);
  return match[0];
};

describe('Org scopes outside the user’s role are greyed out (PropelAuth org scopes)', () => {
  it('shows finance:reports:read disabled with the reason to an Engineering member', async () => {
    const { html } = await reachConsent(new TestBrowser(h), h.alice, { scope: 'tickets:read finance:reports:read' });
    const item = itemOf(html, 'finance:reports:read');
    expect(item).toMatch(/<input[^>]*disabled/);
    expect(item).not.toMatch(/<input[^>]*checked/);
    expect(item).toContain('Only Management can grant this');
  });

  it('does not grant a greyed-out scope named in a forged POST', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice, { scope: 'tickets:read finance:reports:read' });
    const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve', scope: ['tickets:read', 'finance:reports:read'] });
    expect(await codeScopes(approved)).toEqual(['tickets:read']);
    const grant = await h.store.grants.findActive({ userId: h.alice.id, orgId: h.acme, clientId: 'web-client', resource: 'https://mcp.acme.test/mcp' });
    expect(grant?.scopes).toEqual(['tickets:read']);
  });

  it('does not grant a required scope the role cannot grant', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice, { scope: 'tickets:read payroll:runs:approve' });
    expect(itemOf(html, 'payroll:runs:approve')).toMatch(/<input[^>]*disabled/);
    const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve', scope: 'payroll:runs:approve' });
    expect(await codeScopes(approved)).toEqual(['tickets:read']);
  });

  it('lets a Management member grant the same scope', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.bob, { scope: 'tickets:read finance:reports:read' }, h.acme);
    expect(itemOf(html, 'finance:reports:read')).not.toMatch(/disabled/);
    const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve', scope: 'finance:reports:read' });
    expect(await codeScopes(approved)).toEqual(['tickets:read', 'finance:reports:read']);
  });

  it('offers a user with no organization no consent at all: resources serve organizations only (403 page, no redirect, no code)', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, response } = await startAndLogin(browser, h.carol, { scope: 'tickets:read profile:read' });
    expect(response.status).toBe(303);
    const page = await browser.get(`/interaction/${interactionId}`);
    expect(page.status).toBe(403);
    expect(page.headers.get('location')).toBeNull();
    const html = await page.text();
    expect(html).toContain('is not available to any organization you belong to');
    expect(html).not.toContain('action="approve"');
    expect(h.events.map((e) => e.type)).not.toContain('consent.granted');
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'access.refused', step: 'authorize', userId: h.carol.id, orgId: null, resource: RESOURCE }));
  });
});

describe('Optional and required scopes', () => {
  it('shows optional scopes as ticked checkboxes and required ones as ticked and locked', async () => {
    const { html } = await reachConsent(new TestBrowser(h), h.alice, { scope: 'tickets:read tickets:write' });
    expect(itemOf(html, 'tickets:write')).toMatch(/<input[^>]*checked(?![^>]*disabled)/);
    expect(itemOf(html, 'tickets:read')).toMatch(/<input[^>]*checked disabled/);
  });

  it('leaves an unticked optional scope out of the code and the grant', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice, { scope: 'tickets:read tickets:write' });
    const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve' });
    expect(await codeScopes(approved)).toEqual(['tickets:read']);
  });

  it('keeps a required scope even when the POST omits it (locked on the screen)', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice, { scope: 'tickets:read tickets:write' });
    const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve', scope: 'tickets:write' });
    expect(await codeScopes(approved)).toEqual(['tickets:read', 'tickets:write']);
  });

  it('never grants more than was asked: a scope added to the POST is ignored', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice, { scope: 'tickets:read' });
    const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve', scope: ['tickets:write', 'profile:read'] });
    expect(await codeScopes(approved)).toEqual(['tickets:read']);
  });

  it('offers what the resource supports and the role allows when the client asked for no scope', async () => {
    const { html } = await reachConsent(new TestBrowser(h), h.alice, { scope: null });
    for (const scope of ['tickets:read', 'tickets:write', 'profile:read']) expect(html).toContain(`value="${scope}"`);
    expect(html).not.toContain('value="finance:reports:read"');
    expect(html).not.toContain('value="payroll:runs:approve"');
  });

  it('treats a request for only generic scopes like a request for none, and carries offline_access to the code', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice, { scope: 'openid offline_access' });
    expect(html).toContain('value="tickets:write"');
    const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve', scope: ['tickets:write'] });
    expect(await codeScopes(approved)).toEqual(['tickets:read', 'tickets:write', 'offline_access']);
  });
});

describe('Organization choice', () => {
  it('asks a member of several organizations to pick one from a labelled radio list', async () => {
    const browser = new TestBrowser(h);
    const started = await browser.get(
      `/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'web-client', redirect_uri: 'https://client.example/cb', code_challenge: 'A'.repeat(43), code_challenge_method: 'S256', resource: 'https://mcp.acme.test/mcp', scope: 'tickets:read' })}`,
    );
    const interactionId = /ia_[A-Za-z0-9_-]+/.exec(started.headers.get('location') ?? '')?.[0] ?? '';
    const login = await browser.get(`/login?interaction=${interactionId}`);
    await browser.post('/login', { csrf: csrfOf(await login.text()), interaction: interactionId, email: h.bob.email, password: h.bob.password });
    const html = await (await browser.get(`/interaction/${interactionId}`)).text();
    expect(html).toMatch(/<input type="radio" id="(org-\d)" name="org" value="[^"]+"[^>]*>\s*<label for="\1">Acme Corp<\/label>/);
    expect(html).toMatch(/<label for="org-\d">Globex<\/label>/);
  });

  it('applies the roles of the organization picked: Engineering at Globex cannot grant finance scopes', async () => {
    const { html } = await reachConsent(new TestBrowser(h), h.bob, { scope: 'tickets:read finance:reports:read' }, h.globex);
    expect(html).toContain('for <strong>Globex</strong>');
    expect(itemOf(html, 'finance:reports:read')).toContain('Only Management can grant this');
  });

  it('binds the code to the organization picked', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.bob, { scope: 'tickets:read' }, h.globex);
    const approved = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve' });
    const consumed = await h.store.codes.consume(sha256(callbackParams(approved).get('code') ?? ''), h.clock.now());
    expect(consumed.status === 'consumed' && consumed.code.orgId).toBe(h.globex);
  });

  it('refuses an organization the user is not a member of', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice, { scope: 'tickets:read' });
    const forged = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'pick_org', org: h.globex });
    expect(forged.status).toBe(400);
    expect(forged.headers.get('location')).toBeNull();
  });
});

describe('MCP [S] consent screen contents', () => {
  it('shows the client name escaped, the redirect host, and the client_id host of a URL client', async () => {
    await addClient(h.store, {
      id: 'https://tools.example.net/client.json',
      kind: 'metadata_document',
      name: '<script>alert(1)</script> Helper',
      redirectUris: ['https://app.example.org/callback'],
      // A fresh cache entry: the document is served from the store, not fetched.
      metadataExpiresAt: h.clock.now() + 3_600_000,
    });
    const { html } = await reachConsent(new TestBrowser(h), h.alice, { client_id: 'https://tools.example.net/client.json', redirect_uri: 'https://app.example.org/callback', scope: 'tickets:read' });
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Helper');
    expect(html).toContain('<dd>tools.example.net</dd>');
    expect(html).toContain('<dd>app.example.org</dd>');
    expect(html).not.toContain('class="warning"');
  });

  it('warns when every redirect URI of the client is on localhost', async () => {
    await addClient(h.store, { id: 'local-tool', name: 'Local tool', redirectUris: ['http://127.0.0.1/cb', 'http://localhost/cb'] });
    const { html } = await reachConsent(new TestBrowser(h), h.alice, { client_id: 'local-tool', redirect_uri: 'http://127.0.0.1:6123/cb', scope: 'tickets:read' });
    expect(html).toMatch(/class="warning" role="alert">Warning: this application only redirects to your own computer/);
    expect(html).toContain('<dd>127.0.0.1:6123</dd>');
  });

  it('shows each scope’s description and sensitivity', async () => {
    const { html } = await reachConsent(new TestBrowser(h), h.bob, { scope: 'tickets:read payroll:runs:approve' }, h.acme);
    expect(itemOf(html, 'payroll:runs:approve')).toMatch(/Approve payroll runs[\s\S]*critical/);
  });

  it('lets the consent page submit to the client’s redirect origin (CSP form-action) and nowhere else', async () => {
    const { response } = await reachConsent(new TestBrowser(h), h.alice, { scope: 'tickets:read' });
    expect(response.headers.get('content-security-policy')).toContain("form-action 'self' https://client.example;");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('Consent events', () => {
  it('publishes consent.granted with the granted scopes and no secrets', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.alice, { scope: 'tickets:read tickets:write' });
    await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(html), action: 'approve' });
    const event = h.events.find((e) => e.type === 'consent.granted');
    expect(event).toMatchObject({ userId: h.alice.id, orgId: h.acme, clientId: 'web-client', scopes: ['tickets:read'] });
    expect(JSON.stringify(h.events)).not.toContain(h.alice.password);
  });
});

describe('Consent applies to the organization shown on the screen', () => {
  it('shows the screen again instead of granting when the org choice changed after it was rendered', async () => {
    const browser = new TestBrowser(h);
    const { interactionId, html } = await reachConsent(browser, h.bob, { scope: 'tickets:read' }, h.acme);
    const forged = html.replace(/name="org" value="[^"]*"/, `name="org" value="${h.globex}"`);
    const response = await browser.post(`/interaction/${interactionId}`, { csrf: csrfOf(forged), action: 'approve', org: h.globex });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${h.issuer}/interaction/${interactionId}`);
    expect(await h.store.grants.listForUser(h.bob.id)).toEqual([]);
  });
});
