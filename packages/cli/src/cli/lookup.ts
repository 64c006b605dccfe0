/** Finds what a command names, or stops with a one-line reason. */
import type { Client, Organization, User } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { CliError } from './errors.ts';

export async function userByEmail(store: Store, email: string): Promise<User> {
  const user = await store.users.getByEmail(email.toLowerCase());
  if (!user) throw new CliError(`no user with email ${email}`);
  return user;
}

export async function orgBySlug(store: Store, slug: string): Promise<Organization> {
  const org = await store.orgs.getBySlug(slug);
  if (!org) throw new CliError(`no organization "${slug}"`);
  return org;
}

export async function clientById(store: Store, id: string): Promise<Client> {
  const client = await store.clients.get(id);
  if (!client) throw new CliError(`no client "${id}"`);
  return client;
}

/** Every role must exist: a typo must not silently grant nothing (or be stored for later). */
export async function knownRoles(store: Store, roles: string[]): Promise<string[]> {
  if (roles.length === 0) throw new CliError('give at least one role (--roles A,B)');
  const known = new Set((await store.roles.list()).map((r) => r.name));
  const unknown = roles.filter((r) => !known.has(r));
  if (unknown.length > 0) throw new CliError(`unknown role${unknown.length > 1 ? 's' : ''} ${unknown.map((r) => `"${r}"`).join(', ')} (known: ${[...known].sort().join(', ') || 'none'})`);
  return [...new Set(roles)].sort();
}
