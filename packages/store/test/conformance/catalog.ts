import { describe, expect, it } from 'vitest';
import type { ScopeDefinition } from '@gatehouse-auth/core';
import { T0 } from './fixtures.ts';
import type { SuiteContext } from './index.ts';

export function catalogSuite(ctx: SuiteContext): void {
  describe('roles', () => {
    it('upserts, reads, lists and deletes a role', async () => {
      const store = await ctx.fresh();
      await store.roles.upsert({ name: 'Management', description: 'Managers', permissions: ['approve'] });
      await store.roles.upsert({ name: 'Management', description: 'People managers', permissions: ['approve', 'hire'] });
      await store.roles.upsert({ name: 'Engineering', description: 'Engineers', permissions: [] });
      expect(await store.roles.get('Management')).toEqual({ name: 'Management', description: 'People managers', permissions: ['approve', 'hire'] });
      expect((await store.roles.list()).map((r) => r.name)).toEqual(['Engineering', 'Management']);
      expect(await store.roles.delete('Engineering')).toBe(true);
      expect(await store.roles.delete('Engineering')).toBe(false);
      expect(await store.roles.get('Engineering')).toBeUndefined();
    });
  });

  describe('scope definitions', () => {
    it('round-trips every field, including the optional flag and allowed roles', async () => {
      const store = await ctx.fresh();
      const finance: ScopeDefinition = {
        name: 'finance:read',
        kind: 'org',
        allowedRoles: ['Finance', 'Management'],
        sensitivity: 'critical',
        optional: true,
        description: 'Read invoices and payroll',
      };
      const tickets: ScopeDefinition = { ...finance, name: 'tickets:read', allowedRoles: [], sensitivity: 'routine', optional: false };
      await store.scopes.upsert(finance);
      await store.scopes.upsert(tickets);
      expect(await store.scopes.get('finance:read')).toEqual(finance);
      expect(await store.scopes.get('tickets:read')).toEqual(tickets);
      await store.scopes.upsert({ ...finance, optional: false, description: 'Read finance' });
      expect(await store.scopes.get('finance:read')).toEqual({ ...finance, optional: false, description: 'Read finance' });
      expect((await store.scopes.list()).map((s) => s.name)).toEqual(['finance:read', 'tickets:read']);
      expect(await store.scopes.delete('tickets:read')).toBe(true);
      expect(await store.scopes.delete('tickets:read')).toBe(false);
    });

    it('grant lifetimes: a scope keeps its own grant lifetime and re-consent cadence, and unsets them', async () => {
      const store = ctx.store;
      const payroll: ScopeDefinition = {
        name: 'payroll:runs:approve',
        kind: 'org',
        allowedRoles: [],
        sensitivity: 'sensitive',
        optional: false,
        description: 'Approve payroll',
        maxGrantLifetimeDays: 7,
        reconsentAfterDays: 3,
      };
      await store.scopes.upsert(payroll);
      expect(await store.scopes.get(payroll.name)).toEqual(payroll);
      const { maxGrantLifetimeDays: _m, reconsentAfterDays: _r, ...plain } = payroll;
      await store.scopes.upsert(plain);
      expect(await store.scopes.get(payroll.name)).toEqual(plain);
      await store.scopes.delete(payroll.name);
    });
  });

  describe('protected resources', () => {
    it('replaces a resource on upsert but keeps its first createdAt', async () => {
      const store = await ctx.fresh();
      const uri = 'https://mcp.example.com/mcp';
      const bound = { organizations: ['org_acme'], multiTenant: false };
      await store.resources.upsert({ uri, name: 'Internal', scopes: ['tickets:read'], ...bound, createdAt: T0, updatedAt: T0 });
      await store.resources.upsert({ uri, name: 'Internal MCP', scopes: ['tickets:read', 'finance:read'], ...bound, createdAt: T0 + 7, updatedAt: T0 + 7 });
      const undeclared = { tools: {}, resources: {}, prompts: {} };
      expect(await store.resources.get(uri)).toEqual({ uri, name: 'Internal MCP', scopes: ['tickets:read', 'finance:read'], ...bound, operations: undeclared, createdAt: T0, updatedAt: T0 + 7 });
      expect(await store.resources.list()).toHaveLength(1);
      expect(await store.resources.delete(uri)).toBe(true);
      expect(await store.resources.get(uri)).toBeUndefined();
      expect(await store.resources.delete(uri)).toBe(false);
    });

    it('consent that explains: the operations a resource declares per scope survive a read and are replaced by an upsert', async () => {
      const store = await ctx.fresh();
      const uri = 'https://mcp.example.com/ops';
      const operations = { tools: { revenue_report: ['finance:read'], list_tickets: ['tickets:read'] }, resources: { 'acme://tickets': ['tickets:read'] }, prompts: {} };
      await store.resources.upsert({ uri, name: 'Ops', scopes: ['tickets:read', 'finance:read'], organizations: ['org_acme'], multiTenant: false, operations, createdAt: T0, updatedAt: T0 });
      expect((await store.resources.get(uri))?.operations).toEqual(operations);
      await store.resources.upsert({
        uri,
        name: 'Ops',
        scopes: ['tickets:read'],
        organizations: ['org_acme'],
        multiTenant: false,
        operations: { tools: {}, resources: {}, prompts: { triage: ['tickets:read'] } },
        createdAt: T0,
        updatedAt: T0 + 1,
      });
      expect((await store.resources.list()).find((r) => r.uri === uri)?.operations).toEqual({ tools: {}, resources: {}, prompts: { triage: ['tickets:read'] } });
      await store.resources.delete(uri);
    });

    it('organizations bound resources: the orgs a resource serves, or multi-tenant, survive a replace and are replaced by it', async () => {
      const store = await ctx.fresh();
      const uri = 'https://mcp.example.com/mcp';
      await store.resources.upsert({ uri, name: 'Internal', scopes: [], organizations: ['org_acme', 'org_globex'], multiTenant: false, createdAt: T0, updatedAt: T0 });
      expect(await store.resources.get(uri)).toMatchObject({ organizations: ['org_acme', 'org_globex'], multiTenant: false });
      await store.resources.upsert({ uri, name: 'Internal', scopes: [], organizations: ['org_acme'], multiTenant: false, createdAt: T0, updatedAt: T0 + 1 });
      expect((await store.resources.list())[0]).toMatchObject({ organizations: ['org_acme'], multiTenant: false });
      await store.resources.upsert({ uri, name: 'Internal', scopes: [], organizations: [], multiTenant: true, createdAt: T0, updatedAt: T0 + 2 });
      expect(await store.resources.get(uri)).toMatchObject({ organizations: [], multiTenant: true });
    });
  });
}
