/**
 * Which database a command works on: --database-url, else
 * GATEHOUSE_DATABASE_URL, else the `gatehouse dev` store in ./.gatehouse.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createStore, parseStoreUrl, type Store } from '@gatehouse-auth/store';
import { CliError } from './errors.ts';

export const DEV_DIRECTORY = '.gatehouse';
export const DEV_DATABASE_URL = `sqlite:${DEV_DIRECTORY}/gatehouse.sqlite`;

export interface DatabaseOptions {
  databaseUrl?: string;
}

export function databaseUrlOf(options: DatabaseOptions): string {
  return options.databaseUrl ?? process.env.GATEHOUSE_DATABASE_URL ?? DEV_DATABASE_URL;
}

export interface OpenOptions {
  /** Refuse to create a new SQLite file by accident (a typo'd path). */
  mustExist: boolean;
  /** Run pending migrations on open. Default true. */
  migrate?: boolean;
}

export async function openStore(url: string, { mustExist, migrate = true }: OpenOptions): Promise<Store> {
  let target;
  try {
    target = parseStoreUrl(url);
  } catch (error) {
    throw new CliError(`invalid database URL: ${(error as Error).message}`);
  }
  if (mustExist && target.engine === 'sqlite' && target.filename !== ':memory:' && !existsSync(target.filename)) {
    throw new CliError(`no database at ${resolve(target.filename)} (run "gatehouse dev" or "gatehouse migrate" first, or set GATEHOUSE_DATABASE_URL)`);
  }
  try {
    return await createStore(url, { migrate });
  } catch (error) {
    throw new CliError(`cannot open the database: ${(error as Error).message}`);
  }
}
