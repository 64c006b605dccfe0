/**
 * Checks the file cannot express in its shape alone: names that must refer
 * to something declared elsewhere in the same file, and uniqueness. Each
 * problem carries the path of the offending node so the loader can point
 * at its line.
 */
import { canonicalResourceUri, GENERIC_SCOPES } from '@gatehouse-auth/core';
import type { GatehouseConfig } from './schema.ts';

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

export function checkReferences(config: GatehouseConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const roles = new Set(config.roles.map((r) => r.name));
  const scopes = new Set(config.scopes.map((s) => s.name));
  const orgs = new Set(config.organizations.map((o) => o.slug));

  const unique = <T>(section: string, items: T[], key: (item: T) => string, field: string, what: string) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const value = key(item);
      if (seen.has(value)) issues.push({ path: [section, i, field], message: `duplicate ${what} "${value}"` });
      seen.add(value);
    });
  };
  unique('roles', config.roles, (r) => r.name, 'name', 'role');
  unique('scopes', config.scopes, (s) => s.name, 'name', 'scope');
  unique('resources', config.resources, (r) => canonicalResourceUri(r.uri) ?? r.uri, 'uri', 'resource');
  unique('organizations', config.organizations, (o) => o.slug, 'slug', 'organization');
  unique('clients', config.clients, (c) => c.client_id, 'client_id', 'client');
  unique('users', config.users, (u) => u.email, 'email', 'user');

  const role = (path: (string | number)[], value: string) => {
    if (!roles.has(value)) issues.push({ path, message: `unknown role "${value}"` });
  };
  const org = (path: (string | number)[], value: string) => {
    if (!orgs.has(value)) issues.push({ path, message: `unknown organization "${value}"` });
  };

  // Issue 13: directory mappings name declared roles; provider ids are unique per org; a domain belongs to one org.
  const domainOwners = new Map<string, string>();
  config.organizations.forEach((o, i) => {
    for (const [group, mapped] of Object.entries(o.directory?.group_roles ?? {})) mapped.forEach((r, j) => role(['organizations', i, 'directory', 'group_roles', group, j], r));
    o.directory?.default_roles.forEach((r, j) => role(['organizations', i, 'directory', 'default_roles', j], r));
    const ids = new Set<string>();
    (o.identity_providers ?? []).forEach((p, j) => {
      if (ids.has(p.id)) issues.push({ path: ['organizations', i, 'identity_providers', j, 'id'], message: `duplicate identity provider "${p.id}"` });
      ids.add(p.id);
    });
    (o.domains ?? []).forEach((d, j) => {
      const owner = domainOwners.get(d.name);
      if (owner !== undefined) issues.push({ path: ['organizations', i, 'domains', j, 'name'], message: `domain "${d.name}" is already claimed by organization "${owner}"` });
      domainOwners.set(d.name, o.slug);
    });
    if (o.enforce_sso && (o.identity_providers ?? []).length === 0) issues.push({ path: ['organizations', i, 'enforce_sso'], message: 'enforce_sso needs at least one identity provider' });
  });
  config.scopes.forEach((scope, i) => {
    scope.allowed_roles.forEach((r, j) => role(['scopes', i, 'allowed_roles', j], r));
    if (scope.kind === 'user' && scope.allowed_roles.length > 0) {
      issues.push({ path: ['scopes', i, 'allowed_roles'], message: 'allowed_roles applies to org scopes only' });
    }
  });
  config.resources.forEach((resource, i) => {
    if (canonicalResourceUri(resource.uri) === undefined) issues.push({ path: ['resources', i, 'uri'], message: 'not a valid resource URI (RFC 8707 §2: absolute, no fragment)' });
    resource.scopes.forEach((s, j) => {
      if (!scopes.has(s)) issues.push({ path: ['resources', i, 'scopes', j], message: `unknown scope "${s}"` });
    });
    resource.organizations.forEach((slug, j) => org(['resources', i, 'organizations', j], slug));
  });
  const resources = new Set(config.resources.map((r) => canonicalResourceUri(r.uri)).filter((u) => u !== undefined));
  config.clients.forEach((client, i) => {
    if (client.org !== undefined) org(['clients', i, 'org'], client.org);
    client.roles.forEach((r, j) => role(['clients', i, 'roles', j], r));
    client.resource_server_for.forEach((uri, j) => {
      const canonical = canonicalResourceUri(uri);
      if (canonical === undefined || !resources.has(canonical)) issues.push({ path: ['clients', i, 'resource_server_for', j], message: `unknown resource "${uri}"` });
    });
    for (const s of client.scope?.split(' ') ?? []) {
      if (!scopes.has(s) && !GENERIC_SCOPES.has(s)) issues.push({ path: ['clients', i, 'scope'], message: `unknown scope "${s}"` });
    }
  });
  config.users.forEach((user, i) => {
    if (user.password !== undefined && user.password_env !== undefined) {
      issues.push({ path: ['users', i, 'password'], message: 'give either password or password_env, not both' });
    }
    const seenOrgs = new Set<string>();
    user.memberships.forEach((m, j) => {
      org(['users', i, 'memberships', j, 'org'], m.org);
      if (seenOrgs.has(m.org)) issues.push({ path: ['users', i, 'memberships', j, 'org'], message: `duplicate membership in "${m.org}"` });
      seenOrgs.add(m.org);
      m.roles.forEach((r, k) => role(['users', i, 'memberships', j, 'roles', k], r));
    });
  });
  return issues;
}
