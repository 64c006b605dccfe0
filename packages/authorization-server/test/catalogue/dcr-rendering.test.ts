/**
 * Security catalogue, "DCR abuse (RFC 7591)": client metadata is rendered
 * to people, so it is HTML-escaped. A client registered through /register
 * with markup in every free-text and URL field is taken through the whole
 * browser flow; no page it appears on carries the markup live.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createHarness, csrfOf, reachConsent, REDIRECT, TestBrowser, type Harness } from '../authorize/harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

const PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(2)>';

async function registerHostileClient(): Promise<string> {
  const response = await h.app.request(`${h.issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: `Helper ${PAYLOAD}`,
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      logo_uri: `https://cdn.example/logo.png?x=${PAYLOAD}`,
      policy_uri: `https://client.example/policy?${PAYLOAD}`,
      tos_uri: `https://client.example/tos?${PAYLOAD}`,
      client_uri: `https://client.example/?${PAYLOAD}`,
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { client_id: string }).client_id;
}

const expectInert = (html: string, label: string) => {
  expect(html, label).not.toContain('<script>alert(1)');
  expect(html, label).not.toMatch(/<img[^>]*onerror/i);
  expect(html, label).not.toContain('"><');
};

describe('RFC 7591 DCR abuse: rendered client metadata is HTML-escaped', () => {
  it('shows the registered client name escaped on the consent page, with no live markup from any registered field', async () => {
    const clientId = await registerHostileClient();
    const { html } = await reachConsent(new TestBrowser(h), h.alice, { client_id: clientId, scope: 'tickets:read' });
    expect(html).toContain('name="action"');
    expect(html).toContain('Helper &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expectInert(html, 'consent page');
  });

  it('shows it escaped on the organization page and the consent page that follows', async () => {
    const clientId = await registerHostileClient();
    const browser = new TestBrowser(h);
    // Bob is in two organizations: reachConsent would pick for him, so stop at the org page first.
    const started = await browser.get(
      `/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', resource: 'https://mcp.acme.test/mcp', scope: 'tickets:read' }).toString()}`,
    );
    const interactionId = /ia_[A-Za-z0-9_-]+/.exec(started.headers.get('location') ?? '')?.[0] ?? '';
    const loginPage = await browser.get(`/login?interaction=${interactionId}`);
    const login = await browser.post('/login', { csrf: csrfOf(await loginPage.text()), interaction: interactionId, email: h.bob.email, password: h.bob.password });
    expect(login.status).toBe(303);
    const orgHtml = await (await browser.get(`/interaction/${interactionId}`)).text();
    expect(orgHtml).toContain('type="radio"');
    expect(orgHtml).toContain('Helper &quot;&gt;&lt;script&gt;');
    expectInert(orgHtml, 'organization page');
  });
});
