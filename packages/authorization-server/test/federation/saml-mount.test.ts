/**
 * The SAML routes as the authorization server mounts them: providers read
 * from store.federation. The SP metadata needs only the provider to exist
 * (an admin sets the IdP up from it before the IdP side exists); signing in
 * needs the IdP's trust resolved.
 */
import { describe, expect, it } from 'vitest';
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
});
