/** From the config entry to stored settings and back: metadata is read once, and a damaged stored row fails closed. */
import { describe, expect, it } from 'vitest';
import { resolveSamlProvider, samlSettingsFromStored, type SamlProviderConfig } from '../../src/index.ts';
import { createTestIdp } from '../support/saml-idp.ts';

const idp = createTestIdp();
const base: SamlProviderConfig = { id: 'okta', attributes: { email: 'email', name: 'name', groups: 'groups' }, signature_algorithm: 'sha256', clock_skew_seconds: 60, trust_email: true };

describe('SAML provider from config', () => {
  it('reads entity id, SSO URL and certificate from a metadata file', async () => {
    const settings = await resolveSamlProvider('acme', { ...base, metadata_file: '/idp.xml' }, { readFile: async (path) => (path === '/idp.xml' ? idp.metadata : '') });
    expect(settings).toMatchObject({ org: 'acme', provider: 'okta', idp: { entityId: idp.entityId, ssoUrl: idp.ssoUrl }, clockSkewMs: 60_000 });
    expect(settings.idp.certificates).toHaveLength(1);
  });

  it('fetches metadata from an https URL and refuses plain http to a public host', async () => {
    const fetched: string[] = [];
    const fakeFetch = (async (url: URL) => {
      fetched.push(String(url));
      return new Response(idp.metadata);
    }) as unknown as typeof fetch;
    const settings = await resolveSamlProvider('acme', { ...base, metadata_url: 'https://idp.acme.test/metadata' }, { readFile: async () => '', fetch: fakeFetch });
    expect(settings.idp.entityId).toBe(idp.entityId);
    await expect(resolveSamlProvider('acme', { ...base, metadata_url: 'http://idp.acme.test/metadata' }, { readFile: async () => '', fetch: fakeFetch })).rejects.toThrow(/https/);
    expect(fetched).toEqual(['https://idp.acme.test/metadata']);
  });

  it('round-trips through JSON storage, and a stored row without certificates is no provider at all', async () => {
    const settings = await resolveSamlProvider('acme', { ...base, entity_id: idp.entityId, sso_url: idp.ssoUrl, certificates: [idp.keys.cert] });
    const stored = JSON.parse(JSON.stringify(settings));
    expect(samlSettingsFromStored('acme', 'okta', stored)).toEqual(settings);
    expect(samlSettingsFromStored('acme', 'okta', { ...stored, idp: { ...stored.idp, certificates: [] } })).toBeUndefined();
    expect(samlSettingsFromStored('acme', 'okta', { ...stored, signatureAlgorithm: 'sha1' })).toBeUndefined();
  });
});
