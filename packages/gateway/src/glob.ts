/**
 * Name patterns of the gateway's policy: `*` matches any run of characters
 * (tool names have no separators worth respecting), `?` exactly one; every
 * other character is literal. A pattern with nothing literal in it but `*`
 * is allowed (it names everything); an empty pattern, or one using syntax
 * other tools give meaning to (`[`, `]`, `{`, `}`, `!` at the start, `**`),
 * is refused so a reviewer never reads a pattern as something it is not.
 */
export interface NamePattern {
  readonly source: string;
  /** Whether the pattern has no wildcard (an exact name). */
  readonly exact: boolean;
  matches(name: string): boolean;
}

/** Why `source` is not a pattern, or undefined when it is. */
export function patternProblem(source: string): string | undefined {
  if (source.length === 0) return 'an empty pattern names nothing';
  if (/[[\]{}]/.test(source)) return `"${source}": brackets and braces are not pattern syntax here (only * and ? are)`;
  if (source.startsWith('!')) return `"${source}": negation is not supported; list the name with deny: true instead`;
  if (source.includes('**')) return `"${source}": ** means nothing more than * here; write *`;
  if (/[\u0000-\u001f]/.test(source)) return `"${source}": control characters are not allowed`;
  return undefined;
}

/** Whether a rule's name is an exact name, not a pattern (no `*` or `?`). */
export const isExactName = (source: string): boolean => !/[*?]/.test(source);

export function compilePattern(source: string): NamePattern {
  const problem = patternProblem(source);
  if (problem) throw new Error(problem);
  if (isExactName(source)) return { source, exact: true, matches: (name) => name === source };
  const body = source
    .replace(/[.+^${}()|[\]\\/]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${body}$`, 's');
  return { source, exact: false, matches: (name) => regex.test(name) };
}
