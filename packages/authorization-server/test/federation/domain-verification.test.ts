/**
 * Issue 13: an org proves it owns an email domain with a DNS TXT record
 * (resolver injected: no network). Until then the domain routes nothing and
 * vouches for no email; a domain another org verified first stays theirs.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '@gatehouse-auth/core';
import { challengeRecordName, claimDomain, verifyDomainByDns } from '../../src/index.ts';
import { createHarness, type Harness } from '../authorize/harness.ts';

const ADMIN_KEY = 'operator-admin-key-0123456789abcdef';
/** The TXT records the admin API's resolver sees (tests need no network). */
let published: Record<string, string[][]> = {};
let h: Harness;
beforeEach(async () => {
  published = {};
  h = await createHarness({ adminKeyHash: sha256(ADMIN_KEY), federation: { resolveTxt: async (name) => published[name] ?? [] } });
});

const resolverWith = (records: Record<string, string[][]>) => async (name: string) => {
  const found = records[name];
  if (!found) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return found;
};

describe('domain verification by DNS TXT record', () => {
  it('stays unverified while the record is missing or holds another value, and tells what to publish', async () => {
    const domain = await claimDomain(h.store, h.acme, 'Acme.test', 1);
    expect(domain).toMatchObject({ name: 'acme.test', verifiedBy: null, verifiedAt: null });
    expect(await verifyDomainByDns(h.store, h.acme, 'acme.test', 2, resolverWith({}))).toEqual({ status: 'record_missing', recordName: '_gatehouse-challenge.acme.test', expected: domain.challenge });
    const wrong = resolverWith({ [challengeRecordName('acme.test')]: [['gatehouse-domain-verification=someone-elses']] });
    expect((await verifyDomainByDns(h.store, h.acme, 'acme.test', 3, wrong)).status).toBe('record_missing');
    expect(await h.store.federation.verifiedDomain('acme.test')).toBeUndefined();
  });

  it('verifies when the TXT record holds the challenge (joined from 255-byte parts)', async () => {
    const { challenge } = await claimDomain(h.store, h.acme, 'acme.test', 1);
    const resolver = resolverWith({ '_gatehouse-challenge.acme.test': [['v=spf1 -all'], [challenge.slice(0, 20), challenge.slice(20)]] });
    const result = await verifyDomainByDns(h.store, h.acme, 'acme.test', 5, resolver);
    expect(result).toMatchObject({ status: 'verified', domain: { verifiedBy: 'dns', verifiedAt: 5 } });
    expect((await h.store.federation.verifiedDomain('acme.test'))?.orgId).toBe(h.acme);
  });

  it('refuses a domain another organization verified first, even with its own record published', async () => {
    const first = await claimDomain(h.store, h.acme, 'acme.test', 1);
    await verifyDomainByDns(h.store, h.acme, 'acme.test', 2, resolverWith({ '_gatehouse-challenge.acme.test': [[first.challenge]] }));
    const second = await claimDomain(h.store, h.globex, 'acme.test', 3);
    const result = await verifyDomainByDns(h.store, h.globex, 'acme.test', 4, resolverWith({ '_gatehouse-challenge.acme.test': [[second.challenge]] }));
    expect(result).toEqual({ status: 'taken' });
    expect((await h.store.federation.verifiedDomain('acme.test'))?.orgId).toBe(h.acme);
  });

  it('knows nothing of a domain the org never claimed', async () => {
    expect(await verifyDomainByDns(h.store, h.acme, 'never.test', 1, resolverWith({}))).toEqual({ status: 'unknown_domain' });
  });

  it('admin API: claims a domain with its TXT record, refuses to verify it until the record is published, then verifies it', async () => {
    const operator = (path: string, init: RequestInit = {}) => h.app.request(`${h.issuer}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' } });
    const claimed = await operator('/admin/orgs/acme/domains', { method: 'POST', body: JSON.stringify({ name: 'acme.test' }) });
    expect(claimed.status).toBe(201);
    const { txt_record } = (await claimed.json()) as { txt_record: { name: string; value: string } };
    expect(txt_record.name).toBe('_gatehouse-challenge.acme.test');
    const early = await operator('/admin/orgs/acme/domains/acme.test/verify', { method: 'POST' });
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ error: 'invalid_request' });
    published[txt_record.name] = [[txt_record.value]];
    const verified = await operator('/admin/orgs/acme/domains/acme.test/verify', { method: 'POST' });
    expect(await verified.json()).toMatchObject({ name: 'acme.test', verified_by: 'dns' });
    expect((await h.store.federation.verifiedDomain('acme.test'))?.orgId).toBe(h.acme);
    expect((await operator('/admin/orgs/acme/domains/acme.test', { method: 'DELETE' })).status).toBe(200);
    expect(await h.store.federation.verifiedDomain('acme.test')).toBeUndefined();
  });
});
