/**
 * PATCH (RFC 7644 §3.5.2) through scim-patch, after smoothing the shapes
 * real directories send into the RFC's:
 *
 * - `op` in any case (Entra ID sends `Replace`, `Add`, `Remove`);
 * - booleans as strings (Entra ID's documented quirk: `"active": "False"`);
 * - removing members by value list (Entra ID: `{"op":"Remove","path":"members",
 *   "value":[{"value":"<id>"}]}`), rewritten as the RFC's value filter
 *   `members[value eq "<id>"]` that Okta sends.
 */
import { scimPatch, ScimError as PatchLibraryError, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { ScimError, URN, type ScimType } from './wire.ts';

const BOOLEAN_ATTRIBUTES = new Set(['active', 'primary']);

/** "True"/"False" in any case → boolean, for the boolean attributes we know of; anything else unchanged. */
function booleanOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}

/** Turns string booleans into booleans wherever a boolean attribute appears in `value`. */
export function fixStringBooleans(value: unknown, attribute?: string): unknown {
  if (attribute !== undefined && BOOLEAN_ATTRIBUTES.has(attribute.toLowerCase())) return booleanOf(value);
  if (Array.isArray(value)) return value.map((item) => fixStringBooleans(item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fixStringBooleans(inner, key)]));
  }
  return value;
}

const lastSegment = (path: string): string => {
  const afterUrn = path.slice(path.lastIndexOf(':') + 1);
  return afterUrn.split('.').pop() ?? afterUrn;
};

const quote = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The operations as RFC 7644 spells them; refuses a body that is not a PatchOp message. */
export function normalizeOperations(body: Record<string, unknown>): ScimPatchOperation[] {
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(URN.patchOp)) throw new ScimError(400, `A PATCH body must list the schema ${URN.patchOp}.`, 'invalidSyntax');
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0) throw new ScimError(400, 'A PATCH body needs a non-empty Operations array.', 'invalidSyntax');
  const out: ScimPatchOperation[] = [];
  for (const raw of operations) {
    if (typeof raw !== 'object' || raw === null) throw new ScimError(400, 'Each operation must be an object.', 'invalidSyntax');
    const { op, path, value } = raw as { op?: unknown; path?: unknown; value?: unknown };
    if (typeof op !== 'string' || !['add', 'remove', 'replace'].includes(op.toLowerCase())) throw new ScimError(400, `Unknown op ${JSON.stringify(op)}.`, 'invalidSyntax');
    if (path !== undefined && typeof path !== 'string') throw new ScimError(400, 'path must be a string.', 'invalidPath');
    const kind = op.toLowerCase() as 'add' | 'remove' | 'replace';
    if (kind === 'remove') {
      if (path === undefined) throw new ScimError(400, 'A remove operation needs a path.', 'noTarget');
      if (path.toLowerCase() === 'members' && Array.isArray(value)) {
        for (const member of value) {
          const id = (member as { value?: unknown } | null)?.value;
          if (typeof id !== 'string') throw new ScimError(400, 'Each member to remove needs a string value.', 'invalidValue');
          out.push({ op: 'remove', path: `members[value eq ${quote(id)}]` });
        }
        continue;
      }
      out.push(value === undefined ? { op: 'remove', path } : ({ op: 'remove', path, value } as ScimPatchOperation));
      continue;
    }
    if (value === undefined) throw new ScimError(400, `An ${kind} operation needs a value.`, 'invalidValue');
    const fixed = fixStringBooleans(value, path === undefined ? undefined : lastSegment(path));
    out.push(path === undefined ? { op: kind, value: fixed } : { op: kind, path, value: fixed });
  }
  return out;
}

const LIBRARY_TYPES: Record<string, ScimType> = { invalidPath: 'invalidPath', noTarget: 'noTarget', invalidValue: 'invalidValue', invalidSyntax: 'invalidSyntax', mutability: 'mutability' };

/** Applies the operations to a copy of `resource`; a patch the library refuses is a 400 with its scimType. */
export function applyPatch<T extends Record<string, unknown>>(resource: T, operations: ScimPatchOperation[]): T {
  try {
    return scimPatch(resource as unknown as ScimResource, operations, { mutateDocument: false, treatMissingAsAdd: true }) as unknown as T;
  } catch (error) {
    if (error instanceof PatchLibraryError) {
      const code = error.scimCode;
      throw new ScimError(400, error.message || 'The patch could not be applied.', (code !== undefined && LIBRARY_TYPES[code]) || 'invalidValue');
    }
    throw new ScimError(400, 'The patch could not be applied.', 'invalidValue');
  }
}
