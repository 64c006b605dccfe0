import { describe, expect, it } from 'vitest';
import { getPrincipal, principalFromClaims } from '../src/index.ts';

describe('The principal is built from introspection data (RFC 7662 + Gatehouse members)', () => {
  it("maps a person's token: subject, org, current roles and permissions, scopes", () => {
    expect(
      principalFromClaims({
        active: true,
        sub: 'usr_1',
        client_id: 'cli_1',
        scope: 'a:b c:d',
        org_id: 'org_1',
        users_org_roles: ['HR'],
        users_org_permissions: ['employees:view_private'],
        exp: 2_000_000_000,
      }),
    ).toEqual({ subject: 'usr_1', kind: 'user', orgId: 'org_1', roles: ['HR'], permissions: ['employees:view_private'], scopes: ['a:b', 'c:d'], clientId: 'cli_1', expiresAt: 2_000_000_000_000 });
  });

  it('recognises a service agent (sub = client:<client_id>)', () => {
    expect(principalFromClaims({ sub: 'client:agent-7', client_id: 'agent-7', scope: '' })).toMatchObject({ kind: 'service', subject: 'client:agent-7', scopes: [] });
  });

  it('refuses claims without a client_id', () => {
    expect(principalFromClaims({ sub: 'usr_1' })).toBeUndefined();
  });

  it('getPrincipal throws in a handler this SDK did not authenticate', () => {
    expect(() => getPrincipal({})).toThrow(/not authenticated/);
  });
});
