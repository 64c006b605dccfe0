/** Shared by the `gatehouse audit …` commands: database, chain and key resolution. */
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { loadAuditPublicKey, loadAuditSigner, SYSTEM_CHAIN, type AuditSigner } from '@gatehouse-auth/audit';
import type { Store } from '@gatehouse-auth/store';
import { databaseUrlOf, openStore, type DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';

export const DB = ['--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)'] as const;
export const KEY = ['--key <file>', 'Ed25519 checkpoint signing key, PKCS#8 PEM (default: GATEHOUSE_AUDIT_KEY_FILE)'] as const;

export interface ChainFlags {
  org?: string;
  system?: boolean;
}

export async function withAuditStore<T>(flags: DatabaseOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(databaseUrlOf(flags), { mustExist: true });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `--org <slug or id>` → that org's chain; `--system` → `_system`. */
export async function chainOf(store: Store, flags: ChainFlags): Promise<string> {
  if (flags.system && flags.org !== undefined) throw new CliError('give --org or --system, not both');
  if (flags.system) return SYSTEM_CHAIN;
  if (flags.org === undefined) throw new CliError('name the chain: --org <slug> (an organization) or --system');
  const org = (await store.orgs.getBySlug(flags.org)) ?? (await store.orgs.get(flags.org));
  if (!org) throw new CliError(`no organization "${flags.org}"`);
  return org.id;
}

/** Every chain (--all), or the one named. */
export async function chainsOf(store: Store, flags: ChainFlags & { all?: boolean }): Promise<string[]> {
  if (flags.org !== undefined || flags.system) return [await chainOf(store, flags)];
  return store.audit.chains();
}

const readPem = (file: string, what: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
};

export function signerOf(flags: { key?: string }, required: true): AuditSigner;
export function signerOf(flags: { key?: string }, required: false): AuditSigner | undefined;
export function signerOf(flags: { key?: string }, required: boolean): AuditSigner | undefined {
  const file = flags.key ?? (process.env.GATEHOUSE_AUDIT_KEY_FILE || undefined);
  if (file === undefined) {
    if (required) throw new CliError('a checkpoint signing key is required: --key <file> or GATEHOUSE_AUDIT_KEY_FILE (create one with "gatehouse audit keygen")');
    return undefined;
  }
  try {
    return loadAuditSigner(readPem(file, 'signing key'));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${file} is not an Ed25519 private key: ${(error as Error).message}`);
  }
}

export function publicKeysOf(flags: { publicKey?: string[]; key?: string }): KeyObject[] | undefined {
  const envFile = process.env.GATEHOUSE_AUDIT_PUBLIC_KEY_FILE || undefined;
  const files = flags.publicKey ?? (envFile === undefined ? [] : [envFile]);
  const keys = files.map((file) => {
    try {
      return loadAuditPublicKey(readPem(file, 'public key'));
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`${file} is not an Ed25519 public key: ${(error as Error).message}`);
    }
  });
  const signer = signerOf(flags, false);
  if (signer) keys.push(signer.publicKey);
  return keys.length > 0 ? keys : undefined;
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
