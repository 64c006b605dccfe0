/**
 * Constraints on the arguments of an allowed call, checked before the call
 * leaves the gateway. A path must stay under a prefix after normalisation:
 * `..` resolved, NUL and `~` refused (server-filesystem expands `~` to the
 * home directory), and on this machine symbolic links resolved as far as the
 * path exists, so a link inside the prefix pointing outside does not pass.
 * Arrays are checked element by element (read_multiple_files' `paths`).
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export interface ArgumentConstraint {
  /** The value (or each element of an array value) is a path inside this directory. */
  pathUnder?: string;
  /** The value is one of these. */
  enum?: readonly (string | number | boolean)[];
  /** The value, as a string (or each element), has at most this many characters. */
  maxLength?: number;
}

/** Why `value` breaks `constraint`, or undefined when it does not. */
export function constraintViolation(argument: string, value: unknown, constraint: ArgumentConstraint): string | undefined {
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (constraint.enum !== undefined && !constraint.enum.includes(item as string | number | boolean)) {
      return `argument ${argument} must be one of ${constraint.enum.map((allowed) => JSON.stringify(allowed)).join(', ')}`;
    }
    if (constraint.maxLength !== undefined) {
      const text = typeof item === 'string' ? item : JSON.stringify(item ?? null);
      if (text.length > constraint.maxLength) return `argument ${argument} is longer than ${constraint.maxLength} characters`;
    }
    if (constraint.pathUnder !== undefined) {
      const problem = pathOutside(item, constraint.pathUnder);
      if (problem) return `argument ${argument} ${problem}`;
    }
  }
  return undefined;
}

function pathOutside(value: unknown, prefix: string): string | undefined {
  if (typeof value !== 'string') return 'must be a path (a string)';
  if (value.includes('\0')) return 'contains a NUL character';
  if (value.startsWith('~')) return 'starts with ~ (a home directory is outside every prefix)';
  const root = resolve(prefix);
  const target = resolve(root, value);
  if (!isInside(root, target)) return `is outside ${prefix}`;
  // Symbolic links: compare where both really lead, as far as the target exists.
  const realRoot = realpathOrSelf(root);
  if (!isInside(realRoot, realExisting(target))) return `leads outside ${prefix} through a symbolic link`;
  return undefined;
}

const isInside = (root: string, target: string): boolean => {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
};

function realpathOrSelf(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

/** The real path of the deepest existing ancestor, with the rest of the path appended. */
function realExisting(path: string): string {
  let current = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync.native(current), ...rest);
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      rest.unshift(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      current = parent;
    }
  }
}
