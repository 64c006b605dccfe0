/** Finding an org's SAML provider at sign-in: stored config parsed, metadata resolved once and cached, a failed refresh keeps the last good trust. */
import { describe, expect, it, vi } from 'vitest';
import { LocalEventBus, ManualClock } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { samlProviderLookup, type StoredProviderFind } from '../../src/federation/saml-providers.ts';
import { resolveOptions, type ServerContext } from '../../src/index.ts';
import { createTestIdp } from '../../../sso/test/support/saml-idp.ts';

const idp = createTestIdp();
const logs: string[] = [];
const ctx: ServerContext = {
  store: {} as Store,
  events: new LocalEventBus(() => 0),
  clock: new ManualClock(),
  options: resolveOptions({ issuer: 'http://127.0.0.1:4444' }),
  log: (level, message) => logs.push(`${level} ${message}`),
};

function fixture(settings: Record<string, unknown>, type = 'saml') {
  const record = { type, settings, updatedAt: 1 };
  const find: StoredProviderFind = async (_ctx, org, provider) => (org === 'acme' && provider === 'okta' ? record : undefined);
  return { record, find };
}

describe('SAML provider lookup', () => {
  it('resolves a stored metadata_file entry once and serves it from cache while the record is unchanged', async () => {
    const readFile = vi.fn(async () => idp.metadata);
    const { find } = fixture({ metadata_file: '/etc/gatehouse/okta.xml' });
    const lookup = samlProviderLookup(find, { readFile });
    const first = await lookup(ctx, 'acme', 'okta');
    expect(first).toMatchObject({ org: 'acme', provider: 'okta', idp: { entityId: idp.entityId, ssoUrl: idp.ssoUrl }, signatureAlgorithm: 'sha256', clockSkewMs: 60_000 });
    expect(await lookup(ctx, 'acme', 'okta')).toBe(first);
    expect(readFile).toHaveBeenCalledTimes(1);
  });

  it('re-resolves when the stored record changes, and keeps the last good trust when an hourly refresh fails', async () => {
    const readFile = vi.fn(async () => idp.metadata);
    const { record, find } = fixture({ metadata_file: '/okta.xml' });
    const lookup = samlProviderLookup(find, { readFile });
    await lookup(ctx, 'acme', 'okta');
    record.updatedAt = 2;
    await lookup(ctx, 'acme', 'okta');
    expect(readFile).toHaveBeenCalledTimes(2);
    const now = Date.now();
    const spy = vi.spyOn(Date, 'now').mockReturnValue(now + 2 * 60 * 60 * 1000);
    try {
      readFile.mockRejectedValueOnce(new Error('ENOENT'));
      expect((await lookup(ctx, 'acme', 'okta'))?.idp.entityId).toBe(idp.entityId);
      expect(logs.at(-1)).toBe('error SAML IdP metadata unavailable');
    } finally {
      spy.mockRestore();
    }
  });

  it('answers no provider for an unknown provider, an OIDC provider, or invalid stored settings', async () => {
    const io = { readFile: async () => idp.metadata };
    expect(await samlProviderLookup(fixture({ metadata_file: '/x.xml' }).find, io)(ctx, 'acme', 'other')).toBeUndefined();
    expect(await samlProviderLookup(fixture({ issuer: 'https://idp.example', client_id: 'x' }, 'oidc').find, io)(ctx, 'acme', 'okta')).toBeUndefined();
    expect(await samlProviderLookup(fixture({ signature_algorithm: 'sha1', metadata_file: '/x.xml' }).find, io)(ctx, 'acme', 'okta')).toBeUndefined();
    expect(logs.at(-1)).toBe('error SAML provider settings invalid');
  });
});
