/**
 * Proving an org owns an email domain (issue 13): it publishes its challenge
 * in a TXT record at `_gatehouse-challenge.<domain>`; once the record is
 * seen the domain is verified and starts routing logins and vouching for
 * emails. A domain another org verified first stays theirs. The resolver is
 * injected so tests need no network.
 */
import { resolveTxt as dnsResolveTxt } from 'node:dns/promises';
import { randomToken } from '@gatehouse-auth/core';
import type { OrgDomain, Store } from '@gatehouse-auth/store';

export type ResolveTxt = (name: string) => Promise<string[][]>;

export const challengeRecordName = (domain: string): string => `_gatehouse-challenge.${domain}`;

/** The TXT value an org publishes to prove it owns a domain. */
export const newDomainChallenge = (): string => `gatehouse-domain-verification=${randomToken()}`;

export type DomainVerification =
  | { status: 'verified'; domain: OrgDomain }
  | { status: 'unknown_domain' }
  /** Another organization verified this domain first. */
  | { status: 'taken' }
  | { status: 'record_missing'; recordName: string; expected: string };

/** Adds the org's claim to a domain (unverified) and returns it with its challenge; an existing claim is returned as is. */
export async function claimDomain(store: Store, orgId: string, name: string, now: number): Promise<OrgDomain> {
  const existing = await store.federation.getDomain(orgId, name);
  if (existing) return existing;
  const domain: OrgDomain = { orgId, name: name.toLowerCase(), challenge: newDomainChallenge(), verifiedBy: null, verifiedAt: null, createdAt: now };
  await store.federation.putDomain(domain);
  return domain;
}

export async function verifyDomainByDns(store: Store, orgId: string, name: string, now: number, resolveTxt: ResolveTxt = dnsResolveTxt): Promise<DomainVerification> {
  const domain = await store.federation.getDomain(orgId, name);
  if (!domain) return { status: 'unknown_domain' };
  const owner = await store.federation.verifiedDomain(domain.name);
  if (owner && owner.orgId !== orgId) return { status: 'taken' };
  if (domain.verifiedAt !== null) return { status: 'verified', domain };
  const recordName = challengeRecordName(domain.name);
  let records: string[][] = [];
  try {
    records = await resolveTxt(recordName);
  } catch {
    // NXDOMAIN, no data, timeout: all mean the record is not there (yet).
  }
  // A TXT record may arrive split in 255-byte strings: join each record's parts.
  if (!records.some((parts) => parts.join('') === domain.challenge)) return { status: 'record_missing', recordName, expected: domain.challenge };
  const verified: OrgDomain = { ...domain, verifiedBy: 'dns', verifiedAt: now };
  await store.federation.putDomain(verified);
  return { status: 'verified', domain: verified };
}
