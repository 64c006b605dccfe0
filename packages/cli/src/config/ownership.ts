/**
 * What config created, so a later apply may delete it when it leaves the
 * file, and never touches what was created at runtime (dynamically
 * registered clients, users from signup). The store contract has no
 * key-value table yet, so the manifest lives in the interaction store
 * under a reserved id that never expires; it is written in the same
 * transaction as the changes it records.
 */
import type { Store } from '@gatehouse-auth/store';

export interface Manifest {
  roles: string[];
  scopes: string[];
  resources: string[];
  orgs: string[]; // slugs
  clients: string[];
  users: string[]; // lower-cased emails
  memberships: string[]; // `${email} ${slug}`
}

const MANIFEST_ID = 'gatehouse:config-manifest';
/** The largest epoch-ms a Date can hold: this entry must never expire. */
const NEVER = 8_640_000_000_000_000;

export const emptyManifest = (): Manifest => ({ roles: [], scopes: [], resources: [], orgs: [], clients: [], users: [], memberships: [] });

export async function readManifest(store: Store, now: number): Promise<Manifest> {
  const stored = await store.interactions.get<Partial<Manifest>>(MANIFEST_ID, now);
  return { ...emptyManifest(), ...stored };
}

const normalise = (manifest: Manifest): Manifest => Object.fromEntries(Object.entries(manifest).map(([k, v]) => [k, [...new Set(v as string[])].sort()])) as unknown as Manifest;

export const sameManifest = (a: Manifest, b: Manifest): boolean => JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));

export async function writeManifest(store: Store, manifest: Manifest): Promise<void> {
  await store.interactions.put(MANIFEST_ID, normalise(manifest), NEVER);
}

export const membershipKey = (email: string, slug: string): string => `${email} ${slug}`;
