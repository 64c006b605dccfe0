/**
 * List queries (RFC 7644 §3.4.2): `filter` parsed by scim2-parse-filter
 * (never by hand), then applied to the SCIM representation of each
 * resource; `startIndex` (1-based) and `count` page the result.
 *
 * String comparison follows each attribute's `caseExact` (RFC 7643 §2.2):
 * `id`, `externalId` and members' `value` are case-exact; every other
 * string attribute we serve (userName, emails, displayName…) is not.
 */
import { parse, Tester, type Filter } from 'scim2-parse-filter';
import { ScimError, URN } from './wire.ts';

type Comparable = string | number | boolean | null;

const CASE_EXACT = new Set(['id', 'externalid']);
const MAX_COUNT = 200;

/** The library's tester with caseExact-aware string comparison. */
class ScimTester extends Tester {
  private exact = false;
  /** The multi-valued attribute a `[...]` filter is inside (`members[value eq "…"]`). */
  private within: string | undefined;
  override test(r: unknown, f: Filter): boolean {
    if (f.op === '[]') {
      const outer = this.within;
      this.within = f.attrPath.toLowerCase();
      try {
        return super.test(r, f);
      } finally {
        this.within = outer;
      }
    }
    if ('attrPath' in f) {
      const path = f.attrPath.toLowerCase().split('.');
      const last = path[path.length - 1] ?? '';
      const parent = path.length > 1 ? path[path.length - 2] : this.within;
      this.exact = CASE_EXACT.has(last) || (last === 'value' && parent === 'members');
    }
    return super.test(r, f);
  }
  private fold(r: unknown, v: unknown): [unknown, unknown] {
    if (this.exact || typeof r !== 'string' || typeof v !== 'string') return [r, v];
    return [r.toLowerCase(), v.toLowerCase()];
  }
  override eq(r: unknown, v: unknown): boolean {
    const [a, b] = this.fold(r, v);
    return a === b;
  }
  override ne(r: unknown, v: unknown): boolean {
    return !this.eq(r, v);
  }
  override co(r: unknown, v: unknown): boolean {
    const [a, b] = this.fold(r, v);
    return super.co(a, b as Comparable);
  }
  override sw(r: unknown, v: unknown): boolean {
    const [a, b] = this.fold(r, v);
    return super.sw(a, b as Comparable);
  }
  override ew(r: unknown, v: unknown): boolean {
    const [a, b] = this.fold(r, v);
    return super.ew(a, b as Comparable);
  }
}

/** Parses `filter`; a filter the parser refuses is `invalidFilter` (RFC 7644 §3.4.2.2). */
export function parseFilter(text: string | undefined): ((resource: Record<string, unknown>) => boolean) | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let ast: Filter;
  try {
    ast = parse(text);
  } catch {
    throw new ScimError(400, 'The filter could not be parsed.', 'invalidFilter');
  }
  const tester = new ScimTester();
  const normalized = primaryValues(ast);
  return (resource) => tester.test(resource, normalized);
}

/**
 * A comparison naming a multi-valued complex attribute without a
 * sub-attribute compares its `value` (RFC 7644 §3.4.2.2): Entra ID asks
 * `members eq "<id>"` when it checks a membership.
 */
const MULTI_VALUED = new Set(['members', 'emails', 'groups']);
function primaryValues(f: Filter): Filter {
  switch (f.op) {
    case 'and':
    case 'or':
      return { ...f, filters: f.filters.map(primaryValues) };
    case 'not':
      return { ...f, filter: primaryValues(f.filter) };
    case '[]':
      return f;
    default:
      return MULTI_VALUED.has(f.attrPath.toLowerCase()) ? { ...f, attrPath: `${f.attrPath}.value` } : f;
  }
}

/**
 * The value a filter asks for when it is exactly `<attribute> eq "<value>"`
 * (the directories' lookups: `userName` before a create, `displayName`
 * for a group), else undefined.
 */
export function exactLookup(text: string | undefined, attribute: 'userName' | 'displayName'): string | undefined {
  if (text === undefined) return undefined;
  let ast: Filter;
  try {
    ast = parse(text);
  } catch {
    return undefined; // parseFilter reports it
  }
  if (ast.op !== 'eq' || ast.attrPath.toLowerCase() !== attribute.toLowerCase() || typeof ast.compValue !== 'string') return undefined;
  return ast.compValue;
}

export interface Page {
  startIndex: number;
  count: number;
}

/** RFC 7644 §3.4.2.4: startIndex below 1 counts as 1; a negative count as 0; we cap count at MAX_COUNT. */
export function parsePage(startIndex: string | undefined, count: string | undefined): Page {
  const int = (value: string | undefined, name: string): number | undefined => {
    if (value === undefined || value === '') return undefined;
    if (!/^-?\d+$/.test(value)) throw new ScimError(400, `${name} must be an integer.`, 'invalidValue');
    return Number(value);
  };
  const start = int(startIndex, 'startIndex') ?? 1;
  const wanted = int(count, 'count') ?? MAX_COUNT;
  return { startIndex: Math.max(1, start), count: Math.min(MAX_COUNT, Math.max(0, wanted)) };
}

export function listResponse(all: Record<string, unknown>[], page: Page): Record<string, unknown> {
  const resources = all.slice(page.startIndex - 1, page.startIndex - 1 + page.count);
  return { schemas: [URN.listResponse], totalResults: all.length, startIndex: page.startIndex, itemsPerPage: resources.length, Resources: resources };
}
