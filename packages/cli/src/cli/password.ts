/**
 * Passwords never come from a command-line argument (shell history, `ps`):
 * from an environment variable named by --password-env, or from stdin.
 */
import { text } from 'node:stream/consumers';
import { CliError } from './errors.ts';

export interface PasswordFlags {
  passwordEnv?: string;
  passwordStdin?: boolean;
}

/** Same bounds as the login endpoint (NIST SP 800-63B §3.1.1.2: length only). */
const MIN = 10;
const MAX = 256;

export async function readPassword(flags: PasswordFlags): Promise<string | undefined> {
  if (flags.passwordEnv && flags.passwordStdin) throw new CliError('give --password-env or --password-stdin, not both');
  let password: string | undefined;
  if (flags.passwordEnv) {
    password = process.env[flags.passwordEnv];
    if (!password) throw new CliError(`environment variable ${flags.passwordEnv} is not set`);
  } else if (flags.passwordStdin) {
    password = (await text(process.stdin)).replace(/\r?\n$/, '');
  }
  if (password !== undefined && (password.length < MIN || password.length > MAX)) {
    throw new CliError(`a password needs ${MIN} to ${MAX} characters`);
  }
  return password;
}
