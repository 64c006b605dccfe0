/**
 * Password checks with argon2id (@node-rs/argon2, its defaults: argon2id,
 * 19 MiB, t=2, the OWASP baseline). For an unknown email, a disabled user or
 * a user without a password we still verify against a dummy hash, so the
 * response time does not reveal whether the account exists.
 */
import { hash, verify } from '@node-rs/argon2';
import { randomToken } from '@gatehouse-auth/core';

let dummyHash: Promise<string> | undefined;
const dummy = (): Promise<string> => (dummyHash ??= hash(randomToken()));

/** Computes the dummy hash ahead of the first login, so the first unknown email is not slower than the rest. */
export const warmDummyHash = (): void => {
  void dummy().catch(() => {
    dummyHash = undefined;
  });
};

export const hashPassword = (password: string): Promise<string> => hash(password);

/** True only when `storedHash` exists and matches; always costs one argon2 verification. */
export async function verifyPassword(storedHash: string | null | undefined, password: string): Promise<boolean> {
  const target = storedHash ?? (await dummy());
  try {
    const ok = await verify(target, password);
    return ok && storedHash !== null && storedHash !== undefined;
  } catch {
    return false;
  }
}

/** Minimum length only (NIST SP 800-63B §3.1.1.2: no composition rules); the upper bound caps argon2 input. */
export const acceptablePassword = (password: string): boolean => password.length >= 10 && password.length <= 256;
