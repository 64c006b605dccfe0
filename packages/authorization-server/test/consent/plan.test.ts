/**
 * The consent rules as pure functions (docs/consent.md): who may grant
 * which scope, what an approval grants, when a remembered consent is
 * enough, and how a new approval merges into the grant.
 */
import { describe, expect, it } from 'vitest';
import type { Grant, ScopeDefinition } from '@gatehouse-auth/core';
import { approvedScopes, mayGrant, planConsent } from '../../src/consent/plan.ts';
import { consentPage } from '../../src/views/consent-page.ts';
import { reconsentReasons } from '../../src/consent/reconsent.ts';
import { mergeConsent } from '../../src/consent/remember.ts';
import { SCOPES } from '../authorize/harness.ts';

const definitions = new Map<string, ScopeDefinition>(SCOPES.map((s) => [s.name, s]));
const def = (name: string): ScopeDefinition => definitions.get(name) as ScopeDefinition;
const DAY = 86_400_000;

const grant = (scopes: string[], at = 0): Grant => ({
  id: 'grt_1',
  userId: 'usr_1',
  orgId: 'org_1',
  clientId: 'c',
  resource: 'r',
  scopes,
  scopeConsentedAt: Object.fromEntries(scopes.map((s) => [s, at])),
  // Far away: these tests are about the consent rules, not the grant's lifetime (lifetime.test.ts).
  expiresAt: at + 10_000 * DAY,
  scopeExpiresAt: {},
  createdAt: at,
  updatedAt: at,
  revokedAt: null,
});

describe('mayGrant: org scopes follow allowedRoles', () => {
  it('lets any member grant an org scope with no allowedRoles', () => {
    expect(mayGrant(def('tickets:read'), ['Engineering']).allowed).toBe(true);
  });
  it('refuses a role outside allowedRoles with a reason naming the roles', () => {
    expect(mayGrant(def('finance:reports:read'), ['Engineering'])).toEqual({ allowed: false, reason: 'Only Management can grant this' });
  });
  it('names several roles in the reason', () => {
    expect(mayGrant({ ...def('finance:reports:read'), allowedRoles: ['Owner', 'Admin', 'Management'] }, []).reason).toBe('Only Owner, Admin or Management can grant this');
  });
  it('refuses every org scope when the user acts without an org, but allows user scopes', () => {
    expect(mayGrant(def('tickets:read'), null).allowed).toBe(false);
    expect(mayGrant(def('profile:read'), null).allowed).toBe(true);
  });
});

describe('approvedScopes: server-side re-validation of the consent POST', () => {
  const choices = planConsent({
    requested: ['tickets:read', 'tickets:write', 'finance:reports:read'],
    resourceScopes: [...definitions.keys()],
    clientScope: null,
    definitions,
    roles: ['Engineering'],
  });
  it('grants required scopes, ticked optional ones, never disallowed or unoffered ones', () => {
    expect(approvedScopes(choices, ['tickets:write', 'finance:reports:read', 'payroll:runs:approve'])).toEqual(['tickets:read', 'tickets:write']);
  });
  it('drops an unticked optional scope', () => {
    expect(approvedScopes(choices, [])).toEqual(['tickets:read']);
  });
});

describe('planConsent when the client asked for nothing specific', () => {
  it('offers the resource scopes the role allows, within the client’s registered scope', () => {
    const choices = planConsent({ requested: [], resourceScopes: [...definitions.keys()], clientScope: 'tickets:read finance:reports:read profile:read', definitions, roles: ['Engineering'] });
    expect(choices.map((c) => c.name)).toEqual(['tickets:read', 'profile:read']);
  });
});

describe('Consent that explains: each scope lists what it unlocks, as the resource declared it', () => {
  const operations = {
    tools: { list_tickets: ['tickets:read'], update_ticket: ['tickets:read', 'tickets:write'], '<img src=x>': ['tickets:write'] },
    resources: { 'tickets://open': ['tickets:read'] },
    prompts: { triage: ['tickets:write'] },
  };
  const choices = planConsent({
    requested: ['tickets:read', 'tickets:write', 'profile:read'],
    resourceScopes: [...definitions.keys()],
    clientScope: null,
    definitions,
    roles: ['Engineering'],
    operations,
  });
  it('names every tool, resource and prompt that requires the scope, and nothing for an undeclared one', () => {
    expect(choices.map((c) => [c.name, c.unlocks])).toEqual([
      ['tickets:read', { tools: ['list_tickets', 'update_ticket'], resources: ['tickets://open'], prompts: [] }],
      ['tickets:write', { tools: ['<img src=x>', 'update_ticket'], resources: [], prompts: ['triage'] }],
      ['profile:read', { tools: [], resources: [], prompts: [] }],
    ]);
  });
  it('shows them under each scope on the consent screen, escaped', () => {
    const client = { id: 'c', name: 'App', redirectUris: ['https://app.example/cb'] } as Parameters<typeof consentPage>[0]['client'];
    const page = String(
      consentPage({
        issuer: 'https://as.example',
        interactionId: 'i',
        csrf: 'x',
        logoutCsrf: 'y',
        client,
        redirectUri: 'https://app.example/cb',
        resourceName: 'R',
        resourceUri: 'https://r.example/mcp',
        orgId: 'org_1',
        orgName: 'Acme',
        userEmail: 'a@acme.test',
        choices,
        notice: null,
      }),
    );
    expect(page).toContain('<li>Tools: <code>list_tickets</code>, <code>update_ticket</code></li><li>Resources: <code>tickets://open</code></li>');
    expect(page).toContain('<li>Tools: <code>&lt;img src=x&gt;</code>, <code>update_ticket</code></li><li>Prompts: <code>triage</code></li>');
    expect(page).not.toContain('<img src=x>');
  });
});

describe('reconsentReasons', () => {
  const base = {
    explicitRequest: true,
    definitions,
    roles: ['Management'],
    promptConsent: false,
    now: 100 * DAY,
    options: { criticalReconsentDays: 90, grantLifetimeDays: { routine: 365, sensitive: 180, critical: 90 } },
  };
  const choicesFor = (requested: string[], roles: string[] | null = ['Management']) => planConsent({ requested, resourceScopes: [...definitions.keys()], clientScope: null, definitions, roles });

  it('needs consent when there is no grant', () => {
    expect(reconsentReasons({ ...base, grant: undefined, choices: choicesFor(['tickets:read']) })).toEqual(['no_grant']);
  });
  it('needs nothing when the grant covers the request', () => {
    expect(reconsentReasons({ ...base, grant: grant(['tickets:read', 'tickets:write'], 99 * DAY), choices: choicesFor(['tickets:read']) })).toEqual([]);
  });
  it('flags new scopes', () => {
    expect(reconsentReasons({ ...base, grant: grant(['tickets:read'], 99 * DAY), choices: choicesFor(['tickets:read', 'tickets:write']) })).toEqual(['new_scopes']);
  });
  it('does not flag a requested scope the role cannot grant as new', () => {
    const roles = ['Engineering'];
    expect(reconsentReasons({ ...base, roles, grant: grant(['tickets:read'], 99 * DAY), choices: choicesFor(['tickets:read', 'finance:reports:read'], roles) })).toEqual([]);
  });
  it('flags a critical scope consented exactly criticalReconsentDays ago, not one a day younger', () => {
    const choices = choicesFor(['payroll:runs:approve']);
    expect(reconsentReasons({ ...base, grant: grant(['payroll:runs:approve'], 10 * DAY), choices })).toEqual(['critical_consent_expired']);
    expect(reconsentReasons({ ...base, grant: grant(['payroll:runs:approve'], 11 * DAY), choices })).toEqual([]);
  });
  it('flags a granted scope the role no longer allows', () => {
    const roles = ['Engineering'];
    expect(reconsentReasons({ ...base, roles, grant: grant(['tickets:read', 'finance:reports:read'], 99 * DAY), choices: choicesFor(['tickets:read'], roles) })).toEqual(['role_no_longer_allows']);
  });
  it('flags prompt=consent', () => {
    expect(reconsentReasons({ ...base, promptConsent: true, grant: grant(['tickets:read'], 99 * DAY), choices: choicesFor(['tickets:read']) })).toEqual(['prompt_consent']);
  });
});

describe('mergeConsent', () => {
  it('adds approved scopes with a fresh time, removes declined and no-longer-allowed ones, keeps the rest with their old time', () => {
    const existing = { ...grant(['tickets:read', 'tickets:write', 'finance:reports:read', 'profile:read'], 5) };
    const choices = planConsent({ requested: ['tickets:read', 'tickets:write'], resourceScopes: [...definitions.keys()], clientScope: null, definitions, roles: ['Engineering'] });
    const merged = mergeConsent({ existing, userId: 'usr_1', orgId: 'org_1', clientId: 'c', resource: 'r', choices, approved: ['tickets:read'], definitions, roles: ['Engineering'], now: 50 });
    expect(merged.scopes).toEqual(['profile:read', 'tickets:read']);
    expect(merged.scopeConsentedAt).toEqual({ 'profile:read': 5, 'tickets:read': 50 });
  });
});
