/**
 * Security catalogue, OAuth 2.1 / RFC 9700 "Mix-up": every authorization
 * response carries `iss` equal to the metadata `issuer`, and the metadata
 * says so (RFC 9207 §2, §3). Checked on an issuer with a path, where a
 * server that built `iss` from the request origin would get it wrong.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { authorizeUrl, createHarness, csrfOf, interactionIdOf, TestBrowser, type Harness } from '../authorize/harness.ts';

const ISSUER = 'http://127.0.0.1:4444/tenant-a';
let h: Harness;
let metadataIssuer: string;

beforeEach(async () => {
  h = await createHarness({ issuer: ISSUER });
  const metadata = await h.app.request('http://127.0.0.1:4444/.well-known/oauth-authorization-server/tenant-a');
  expect(metadata.status).toBe(200);
  const body = (await metadata.json()) as { issuer: string; authorization_response_iss_parameter_supported?: boolean };
  expect(body.authorization_response_iss_parameter_supported).toBe(true);
  metadataIssuer = body.issuer;
  expect(metadataIssuer).toBe(ISSUER);
});

const absolute = (location: string | null) => new URL(location ?? '', ISSUER).href;

/** Starts an authorization for `params`, signs Alice in, and returns the browser at the consent page. */
async function atConsent(params: Record<string, string | null> = {}) {
  const browser = new TestBrowser(h);
  const started = await browser.get(`${ISSUER}${authorizeUrl(params)}`);
  expect(started.status).toBe(302);
  const interactionId = interactionIdOf(started.headers.get('location'));
  const loginPage = await browser.get(absolute(started.headers.get('location')));
  const login = await browser.post(`${ISSUER}/login`, { csrf: csrfOf(await loginPage.text()), interaction: interactionId, email: h.alice.email, password: h.alice.password });
  expect(login.status).toBe(303);
  const consent = await browser.get(absolute(login.headers.get('location')));
  const html = await consent.text();
  return { browser, interactionId, csrf: csrfOf(html) };
}

const issOf = (response: Response) => new URL(response.headers.get('location') ?? 'about:blank').searchParams.get('iss');

describe('RFC 9207 mix-up defence (issuer with a path)', () => {
  it('puts iss equal to the metadata issuer on a successful authorization response', async () => {
    const { browser, interactionId, csrf } = await atConsent();
    const approved = await browser.post(`${ISSUER}/interaction/${interactionId}`, { csrf, action: 'approve' });
    expect(approved.headers.get('location')).toMatch(/^https:\/\/client\.example\/cb\?code=/);
    expect(issOf(approved)).toBe(metadataIssuer);
  });

  it('puts iss equal to the metadata issuer on an access_denied response', async () => {
    const { browser, interactionId, csrf } = await atConsent();
    const denied = await browser.post(`${ISSUER}/interaction/${interactionId}`, { csrf, action: 'deny' });
    expect(new URL(denied.headers.get('location') ?? '').searchParams.get('error')).toBe('access_denied');
    expect(issOf(denied)).toBe(metadataIssuer);
  });

  it('puts iss equal to the metadata issuer on an error redirected at once (invalid_request, prompt=none)', async () => {
    const browser = new TestBrowser(h);
    const plain = await browser.get(`${ISSUER}${authorizeUrl({ code_challenge_method: 'plain' })}`);
    expect(new URL(plain.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
    expect(issOf(plain)).toBe(metadataIssuer);
    const silent = await browser.get(`${ISSUER}${authorizeUrl({ prompt: 'none' })}`);
    expect(new URL(silent.headers.get('location') ?? '').searchParams.get('error')).toBe('login_required');
    expect(issOf(silent)).toBe(metadataIssuer);
  });
});
