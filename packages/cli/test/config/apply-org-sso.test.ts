/**
 * Issue 13 as config: `organizations[].identity_providers`, `domains`,
 * `directory` and `enforce_sso` reach the store; applying the same file
 * twice changes nothing; the file owns the providers it declares and never
 * removes one set up through a setup link; a mapping to an undeclared role
 * is refused with its line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Store } from '@gatehouse-auth/store';
import { createTestStore, requirePostgres, type TestStore } from '@gatehouse-auth/store/testing';
import { apply } from '../../src/config/apply.ts';
import { parseConfig } from '../../src/config/load.ts';

const EXAMPLE = await readFile(new URL('../../../../examples/internal-company/gatehouse.yaml', import.meta.url), 'utf8');
const ACME = '  - slug: acme\n    name: Acme Inc.\n    audit_retention_days: 365\n';
const withAcme = (yaml: string) => {
  if (!EXAMPLE.includes(ACME)) throw new Error('example changed');
  return parseConfig(EXAMPLE.replace(ACME, `${ACME}${yaml}`));
};

const SSO = `    identity_providers:
      - id: okta
        type: oidc
        name: Acme Okta
        issuer: https://acme.okta.test
        client_id: gatehouse
        client_secret_env: ACME_OKTA_SECRET
        scopes: [email, profile, groups]
    domains:
      - name: acme.test
        verified_by: config
      - name: acme-corp.test
    directory:
      group_roles:
        eng: [Engineering]
        support: [Support]
      default_roles: [Support]
    enforce_sso: true
`;

for (const engine of ['sqlite', 'postgres'] as const) {
  const available = engine === 'sqlite' || (await requirePostgres(`cli apply org sso on ${engine}`));

  describe.skipIf(!available)(`config: organizations[] enterprise sign-in (${engine})`, () => {
    let testStore: TestStore;
    let store: Store;
    beforeEach(async () => {
      testStore = await createTestStore(engine);
      store = testStore.store;
    });
    afterEach(async () => testStore.cleanup());

    it('stores the providers, domains, mapping and enforce_sso; applying again changes nothing', async () => {
      const config = withAcme(SSO);
      await apply(store, config);
      const acme = (await store.orgs.getBySlug('acme'))!;
      const providers = await store.federation.listProviders(acme.id);
      expect(providers).toMatchObject([
        { id: 'okta', type: 'oidc', source: 'config', settings: { issuer: 'https://acme.okta.test', client_id: 'gatehouse', client_secret_env: 'ACME_OKTA_SECRET', name: 'Acme Okta' } },
      ]);
      const domains = await store.federation.listDomains(acme.id);
      expect(domains.map((d) => [d.name, d.verifiedBy])).toEqual([
        ['acme-corp.test', null],
        ['acme.test', 'config'],
      ]);
      expect(domains[0]?.challenge).toMatch(/^gatehouse-domain-verification=[A-Za-z0-9_-]{43}$/);
      expect(await store.federation.getSettings(acme.id)).toMatchObject({ groupRoles: { eng: ['Engineering'], support: ['Support'] }, defaultRoles: ['Support'], enforceSso: true });
      expect((await store.federation.verifiedDomain('acme.test'))?.orgId).toBe(acme.id);
      expect(await store.federation.verifiedDomain('acme-corp.test')).toBeUndefined();
      expect((await apply(store, config)).changes).toEqual([]);
    });

    it('removes a provider the file drops, but keeps one set up through a setup link', async () => {
      await apply(store, withAcme(SSO));
      const acme = (await store.orgs.getBySlug('acme'))!;
      await store.federation.putProvider({
        orgId: acme.id,
        id: 'entra',
        type: 'oidc',
        source: 'setup_link',
        settings: { issuer: 'https://login.microsoftonline.test/t/v2.0', client_id: 'x' },
        updatedAt: 1,
      });
      const { changes } = await apply(store, withAcme(SSO.replace(/ {4}identity_providers:[\s\S]*?groups\]\n/, '    identity_providers: []\n').replace('    enforce_sso: true\n', '')));
      expect(changes).toContainEqual({ op: '-', kind: 'org', name: 'acme', detail: 'identity provider okta' });
      expect((await store.federation.listProviders(acme.id)).map((p) => p.id)).toEqual(['entra']);
    });

    it('refuses a group mapped to a role the file does not declare, and enforce_sso without a provider', () => {
      expect(() => withAcme('    directory:\n      group_roles:\n        eng: [Engineers]\n')).toThrow(/unknown role "Engineers"/);
      expect(() => withAcme('    enforce_sso: true\n')).toThrow(/enforce_sso needs at least one identity provider/);
    });

    it('refuses a domain claimed by two organizations', () => {
      const text = EXAMPLE.replace(ACME, `${ACME}    domains: [{ name: shared.test, verified_by: config }]\n`).replace(
        /(organizations:\n)/,
        '$1  - slug: other\n    name: Other\n    domains: [{ name: shared.test, verified_by: config }]\n',
      );
      expect(() => parseConfig(text)).toThrow(/already claimed by organization/);
    });
  });
}
