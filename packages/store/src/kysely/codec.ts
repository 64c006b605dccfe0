/** Column codecs shared by the stores: JSON text, epoch-ms numbers, lower-cased emails. */

export const toJson = (value: unknown): string => JSON.stringify(value);

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  return JSON.parse(text) as T;
}

/** int8 columns arrive as numbers (SQLite, and pg with our type parser) or strings (pg without it). */
export function num(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

export function numOrNull(value: number | string | bigint | null | undefined): number | null {
  return value === null || value === undefined ? null : num(value);
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
