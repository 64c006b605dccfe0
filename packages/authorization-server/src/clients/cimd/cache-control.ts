/**
 * How long a fetched metadata document may be reused (draft §5.2: honour
 * HTTP caching, within bounds). `max-age` is clamped to [min, max];
 * `no-store`, `no-cache` or no header mean the minimum, so a busy client
 * cannot make us refetch on every request.
 */
export function cacheSeconds(header: string | null, bounds: { minCacheSeconds: number; maxCacheSeconds: number }): number {
  const directives = (header ?? '')
    .toLowerCase()
    .split(',')
    .map((part) => part.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return bounds.minCacheSeconds;
  const maxAge = directives.map((part) => /^max-age=(\d+)$/.exec(part)?.[1]).find((value) => value !== undefined);
  if (maxAge === undefined) return bounds.minCacheSeconds;
  return Math.min(bounds.maxCacheSeconds, Math.max(bounds.minCacheSeconds, Number(maxAge)));
}
