/**
 * Maps a path inside the parsed YAML document (`['scopes', 3,
 * 'allowed_roles', 0]`) to the line and column of its node, falling back
 * to the nearest ancestor that exists (a missing key points at its parent).
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export interface Position {
  line: number;
  col: number;
}

function child(node: unknown, key: string | number): { value: unknown; keyNode?: Node } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(key));
    return pair ? { value: pair.value, keyNode: pair.key as Node } : undefined;
  }
  if (isSeq(node) && typeof key === 'number') {
    const value = node.items[key];
    return value === undefined ? undefined : { value };
  }
  return undefined;
}

/** Locates `path`; with `asKey`, points at the key of the last segment instead of its value. */
export function locate(doc: Document, counter: LineCounter, path: readonly (string | number)[], asKey = false): Position {
  let node: unknown = doc.contents;
  let best: Node | undefined = doc.contents ?? undefined;
  for (const [i, segment] of path.entries()) {
    const next = child(node, segment);
    if (!next) break;
    const last = i === path.length - 1;
    const target = (last && asKey && next.keyNode) || (next.value as Node | null) || next.keyNode;
    if (target?.range) best = target;
    node = next.value;
  }
  const offset = best?.range?.[0] ?? 0;
  const { line, col } = counter.linePos(offset);
  return { line, col };
}

/** `scopes[3].allowed_roles[0]` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${String(segment)}` : String(segment)), '');
}
