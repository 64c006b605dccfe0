/**
 * The enterprise sign-in keys of each organization (issue 13), applied to
 * the store: identity providers (the file owns those it declares: one it no
 * longer lists is removed, one added through a setup link is kept), domains
 * (when `domains` is given the file owns the org's list; `verified_by:
 * config` is the operator's assertion, `dns` waits for a TXT check), and
 * the directory mapping with enforce_sso. A key left out leaves the store alone.
 */
import { newDomainChallenge } from '@gatehouse-auth/authorization-server';
import type { OrgSsoSettings } from '@gatehouse-auth/store';
import type { GatehouseConfig } from './schema.ts';
import { record, type Plan } from './plan.ts';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export async function applyOrgSso(plan: Plan, config: GatehouseConfig): Promise<void> {
  for (const org of config.organizations) {
    const orgId = plan.orgIds.get(org.slug);
    if (!orgId) continue;
    if (org.identity_providers) await applyProviders(plan, orgId, org.slug, org.identity_providers);
    if (org.domains) await applyDomains(plan, orgId, org.slug, org.domains);
    if (org.directory || org.enforce_sso !== undefined) {
      const current = await plan.tx.federation.getSettings(orgId);
      const desired: OrgSsoSettings = {
        orgId,
        groupRoles: org.directory ? org.directory.group_roles : current.groupRoles,
        defaultRoles: org.directory ? org.directory.default_roles : current.defaultRoles,
        enforceSso: org.enforce_sso ?? current.enforceSso,
        updatedAt: plan.now,
      };
      const changed = (['groupRoles', 'defaultRoles', 'enforceSso'] as const).filter((k) => !same(current[k], desired[k]));
      if (changed.length === 0) continue;
      record(plan, { op: '~', kind: 'org', name: org.slug, detail: `sso ${changed.join(', ')}` }, { type: 'org.updated', orgId, actor: plan.actor });
      if (!plan.dryRun) await plan.tx.federation.putSettings(desired);
    }
  }
}

async function applyProviders(plan: Plan, orgId: string, slug: string, providers: NonNullable<GatehouseConfig['organizations'][number]['identity_providers']>): Promise<void> {
  const current = new Map((await plan.tx.federation.listProviders(orgId)).map((p) => [p.id, p]));
  for (const provider of providers) {
    const { id, type, ...settings } = provider;
    const existing = current.get(id);
    if (existing && existing.source === 'config' && existing.type === type && same(existing.settings, settings)) continue;
    record(plan, { op: existing ? '~' : '+', kind: 'org', name: slug, detail: `identity provider ${id}` }, { type: 'org.updated', orgId, actor: plan.actor });
    if (!plan.dryRun) await plan.tx.federation.putProvider({ orgId, id, type, source: 'config', settings, updatedAt: plan.now });
  }
  const declared = new Set(providers.map((p) => p.id));
  for (const existing of current.values()) {
    if (existing.source !== 'config' || declared.has(existing.id)) continue;
    record(plan, { op: '-', kind: 'org', name: slug, detail: `identity provider ${existing.id}` }, { type: 'org.updated', orgId, actor: plan.actor });
    if (!plan.dryRun) await plan.tx.federation.removeProvider(orgId, existing.id);
  }
}

async function applyDomains(plan: Plan, orgId: string, slug: string, domains: NonNullable<GatehouseConfig['organizations'][number]['domains']>): Promise<void> {
  const current = new Map((await plan.tx.federation.listDomains(orgId)).map((d) => [d.name, d]));
  for (const domain of domains) {
    const existing = current.get(domain.name);
    if (domain.verified_by === 'config') {
      if (existing?.verifiedBy === 'config') continue;
      record(plan, { op: existing ? '~' : '+', kind: 'org', name: slug, detail: `domain ${domain.name} verified by config` }, { type: 'org.updated', orgId, actor: plan.actor });
      if (!plan.dryRun)
        await plan.tx.federation.putDomain({
          orgId,
          name: domain.name,
          challenge: existing?.challenge ?? newDomainChallenge(),
          verifiedBy: 'config',
          verifiedAt: plan.now,
          createdAt: existing?.createdAt ?? plan.now,
        });
      continue;
    }
    // dns: a DNS-verified domain stays verified; one the operator used to assert goes back to waiting for its TXT record.
    if (existing && existing.verifiedBy !== 'config') continue;
    record(plan, { op: existing ? '~' : '+', kind: 'org', name: slug, detail: `domain ${domain.name} awaiting DNS verification` }, { type: 'org.updated', orgId, actor: plan.actor });
    if (!plan.dryRun)
      await plan.tx.federation.putDomain({
        orgId,
        name: domain.name,
        challenge: existing?.challenge ?? newDomainChallenge(),
        verifiedBy: null,
        verifiedAt: null,
        createdAt: existing?.createdAt ?? plan.now,
      });
  }
  const declared = new Set(domains.map((d) => d.name));
  for (const existing of current.values()) {
    if (declared.has(existing.name)) continue;
    record(plan, { op: '-', kind: 'org', name: slug, detail: `domain ${existing.name}` }, { type: 'org.updated', orgId, actor: plan.actor });
    if (!plan.dryRun) await plan.tx.federation.removeDomain(orgId, existing.name);
  }
}
