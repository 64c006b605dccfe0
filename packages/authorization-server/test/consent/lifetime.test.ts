/**
 * The lifetime rules as pure functions (consent/lifetime.ts), asked by both
 * /authorize and the refresh grant (issue 16, item 1).
 */
import { describe, expect, it } from 'vitest';
import type { Grant, ScopeDefinition } from '@gatehouse-auth/core';
import { grantEnd, lifetimeAtConsent, reconsentDue, tokenNotAfter } from '../../src/consent/lifetime.ts';

const DAY = 86_400_000;
const options = { criticalReconsentDays: 90, grantLifetimeDays: { routine: 365, sensitive: 180, critical: 120 } };
const scope = (name: string, sensitivity: ScopeDefinition['sensitivity'], extra: Partial<ScopeDefinition> = {}): [string, ScopeDefinition] => [
  name,
  { name, kind: 'org', allowedRoles: [], sensitivity, optional: false, description: name, ...extra },
];
const definitions = new Map([
  scope('crm:read', 'routine'),
  scope('crm:write', 'sensitive'),
  scope('crm:export', 'critical'),
  scope('crm:admin', 'routine', { maxGrantLifetimeDays: 7, reconsentAfterDays: 3 }),
]);
const grant = (scopes: string[], over: Partial<Grant> = {}): Grant => ({
  id: 'grt_1',
  userId: 'usr_1',
  orgId: 'org_1',
  clientId: 'c',
  resource: 'r',
  scopes,
  scopeConsentedAt: Object.fromEntries(scopes.map((s) => [s, 0])),
  expiresAt: null,
  scopeExpiresAt: {},
  createdAt: 0,
  updatedAt: 0,
  revokedAt: null,
  ...over,
});

describe('grant lifetime rules', () => {
  it("a grant lasts by its most sensitive scope, shortened by a scope's own max_grant_lifetime_days", () => {
    expect(lifetimeAtConsent(undefined, ['crm:read', 'crm:write'], definitions, 0, options).expiresAt).toBe(180 * DAY);
    expect(lifetimeAtConsent(undefined, ['crm:read', 'crm:export'], definitions, 0, options).expiresAt).toBe(120 * DAY);
    expect(lifetimeAtConsent(undefined, ['crm:write', 'crm:admin'], definitions, 0, options).expiresAt).toBe(7 * DAY);
  });

  it('grants stored before lifetimes were recorded count from their creation', () => {
    expect(grantEnd(grant(['crm:write'], { createdAt: 5 }), definitions, options)).toBe(5 + 180 * DAY);
    expect(grantEnd(grant(['crm:write'], { expiresAt: 42 }), definitions, options)).toBe(42);
  });

  it("a new consent starts a new lifetime but keeps an operator's time box still ahead, and drops one already past", () => {
    const existing = grant(['crm:read', 'crm:write'], { expiresAt: 10 * DAY, scopeExpiresAt: { 'crm:read': 50 * DAY, 'crm:write': 20 * DAY } });
    expect(lifetimeAtConsent(existing, ['crm:read', 'crm:write'], definitions, 30 * DAY, options)).toEqual({ expiresAt: 210 * DAY, scopeExpiresAt: { 'crm:read': 50 * DAY } });
  });

  it('re-consent is due for a critical scope at criticalReconsentDays and for any scope at its own reconsent_after_days, never for a plain routine one', () => {
    expect(reconsentDue(grant(['crm:export']), ['crm:export'], definitions, 90 * DAY - 1, options)).toBe(false);
    expect(reconsentDue(grant(['crm:export']), ['crm:export'], definitions, 90 * DAY, options)).toBe(true);
    expect(reconsentDue(grant(['crm:admin']), ['crm:admin'], definitions, 3 * DAY, options)).toBe(true);
    expect(reconsentDue(grant(['crm:read']), ['crm:read'], definitions, 1000 * DAY, options)).toBe(false);
  });

  it('a token never outlives its grant, nor the last of its scopes when every one is time-boxed', () => {
    const g = grant(['crm:read', 'crm:write'], { expiresAt: 100 * DAY, scopeExpiresAt: { 'crm:read': 5 * DAY, 'crm:write': 8 * DAY } });
    expect(tokenNotAfter(g, ['crm:read', 'crm:write'], definitions, options)).toBe(8 * DAY);
    expect(tokenNotAfter({ ...g, scopeExpiresAt: { 'crm:read': 5 * DAY } }, ['crm:read', 'crm:write'], definitions, options)).toBe(100 * DAY);
  });
});
