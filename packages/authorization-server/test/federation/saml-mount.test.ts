/**
 * The SAML routes as the authorization server mounts them: providers read
 * from store.federation. The SP metadata needs only the provider to exist
 * (an admin sets the IdP up from it before the IdP side exists); signing in
 * needs the IdP's trust resolved.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestIdp } from '../../../sso/test/support/saml-idp.ts';
import { createHarness } from '../authorize/harness.ts';

describe('SAML routes on the authorization server', () => {
  it('serves SP metadata for a stored SAML provider whose IdP metadata cannot be read yet, but answers 502 (unavailable) instead of starting a sign-in', async () => {
    const h = await createHarness();
    await h.store.federation.putProvider({ orgId: h.acme, id: 'okta', type: 'saml', source: 'config', settings: { metadata_file: '/nonexistent/okta.xml' }, updatedAt: 1 });
    const metadata = await h.app.request(`${h.issuer}/sso/saml/acme/okta/metadata`);
    expect(metadata.status).toBe(200);
    expect(await metadata.text()).toContain(`entityID="${h.issuer}/sso/saml/acme/okta/metadata"`);
    const login = await h.app.request(`${h.issuer}/sso/saml/acme/okta/login`);
    expect(login.status).toBe(502);
    expect(h.logs.some((line) => line.includes('SAML IdP metadata unavailable'))).toBe(true);
  });

  it('answers 404 for an OIDC provider, an unknown provider and an unknown org', async () => {
    const h = await createHarness();
    await h.store.federation.putProvider({ orgId: h.acme, id: 'google', type: 'oidc', source: 'config', settings: { issuer: 'https://accounts.google.com', client_id: 'x' }, updatedAt: 1 });
    for (const path of ['/sso/saml/acme/google/metadata', '/sso/saml/acme/okta/metadata', '/sso/saml/initech/okta/metadata']) {
      expect((await h.app.request(`${h.issuer}${path}`)).status).toBe(404);
    }
  });

  it('clears expired round-trip states and replay keys when sign-ins start, at most once a minute', async () => {
    const h = await createHarness();
    const metadataFile = join(mkdtempSync(join(tmpdir(), 'gatehouse-saml-mount-')), 'idp.xml');
    writeFileSync(metadataFile, createTestIdp().metadata);
    await h.store.federation.putProvider({ orgId: h.acme, id: 'okta', type: 'saml', source: 'config', settings: { metadata_file: metadataFile }, updatedAt: 1 });
    const now = h.clock.now();
    await h.store.saml.putState('stale-state', { any: 1 }, now - 1);
    await h.store.saml.recordAssertion('stale-assertion', now - 1, now - 10_000);
    expect((await h.app.request(`${h.issuer}/sso/saml/acme/okta/login`)).status).toBe(302);
    // Nothing expired is left for a later purge: the sign-in start took both rows.
    expect(await h.store.saml.purgeExpired(h.clock.now())).toBe(0);
  });
});
