/** Shared by the `gatehouse audit …` commands: database, chain and key resolution. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { generateAuditSigner, loadAuditPublicKey, loadAuditSigner, SYSTEM_CHAIN, type AuditSigner } from '@gatehouse-auth/audit';
import type { Store } from '@gatehouse-auth/store';
import { databaseUrlOf, DEV_DATABASE_URL, DEV_DIRECTORY, openStore, type DatabaseOptions } from '../cli/database.ts';
import { CliError } from '../cli/errors.ts';

export const DB = ['--database-url <url>', 'database (default: GATEHOUSE_DATABASE_URL, else .gatehouse/gatehouse.sqlite)'] as const;
export const KEY = ['--key <file>', 'Ed25519 checkpoint signing key, PKCS#8 PEM (default: GATEHOUSE_AUDIT_KEY_FILE, else the gatehouse dev key with the dev database)'] as const;

/** The checkpoint key `gatehouse dev` creates beside its database (a development key: it lives on the same box). */
export const DEV_AUDIT_KEY_FILE = join(DEV_DIRECTORY, 'audit-signing-key.pem');

/** Writes `file` (private, 0600) and `file.pub`; refuses to overwrite either. */
export function writeAuditKeyPair(file: string): { signer: AuditSigner; publicPem: string } {
  const signer = generateAuditSigner();
  const privatePem = signer.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const publicPem = signer.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  try {
    writeFileSync(file, privatePem, { mode: 0o600, flag: 'wx' });
    writeFileSync(`${file}.pub`, publicPem, { mode: 0o644, flag: 'wx' });
  } catch (error) {
    throw new CliError(
      `cannot write ${(error as NodeJS.ErrnoException).path ?? file}: ${(error as NodeJS.ErrnoException).code === 'EEXIST' ? 'it exists (refusing to overwrite a key)' : (error as Error).message}`,
    );
  }
  return { signer, publicPem };
}

/** --key, else GATEHOUSE_AUDIT_KEY_FILE, else (on the dev database only) the key `gatehouse dev` made. */
function keyFileOf(flags: { key?: string } & DatabaseOptions): string | undefined {
  const file = flags.key ?? (process.env.GATEHOUSE_AUDIT_KEY_FILE || undefined);
  if (file !== undefined) return file;
  return databaseUrlOf(flags) === DEV_DATABASE_URL && existsSync(DEV_AUDIT_KEY_FILE) ? DEV_AUDIT_KEY_FILE : undefined;
}

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

type KeyFlags = { key?: string } & DatabaseOptions;

export function signerOf(flags: KeyFlags, required: true): AuditSigner;
export function signerOf(flags: KeyFlags, required: false): AuditSigner | undefined;
export function signerOf(flags: KeyFlags, required: boolean): AuditSigner | undefined {
  const file = keyFileOf(flags);
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

export function publicKeysOf(flags: { publicKey?: string[] } & KeyFlags): KeyObject[] | undefined {
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
