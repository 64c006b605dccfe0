/** What both benchmark servers are configured with, so they do the same work. */
/** The example config's protected resource (examples/internal-company/gatehouse.yaml). */
export const RESOURCE = 'http://127.0.0.1:4001/mcp';
/** Routine, granted to the agent's role (Support) and to every bench user. */
export const SCOPE = 'tickets:read';
/** A client_credentials service agent added to the example config, acting in Acme as Support. */
export const AGENT = { id: 'bench-agent', secret: 'bench-agent-secret-0123456789abcdefghij' };
/** The example config's own introspection client (the internal-company MCP server). */
export const RESOURCE_SERVER = { id: 'internal-company-mcp', secret: 'dev-only-internal-company-mcp-secret' };
export const PUBLIC_CLIENT = 'bench-public';
/** The client id the floor (as-floor-server.ts) issues its client_credentials tokens to, kept out of Gatehouse's audit check. */
export const FLOOR_CLIENT = 'bench-floor';
export const REDIRECT = 'http://127.0.0.1/cb';
/** Live access tokens introspected in random order in the cold scenario (half service, half user tokens on Gatehouse). */
export const ACCESS_POPULATION = Number(process.env.BENCH_ACCESS_TOKENS ?? 100_000);
/**
 * Refresh tokens minted before the server starts; each cold refresh request uses one of them once. Enough for
 * the default 3 rounds of 1 + 4 s at 8,000 req/s: at 60,000 the reference (about 4,000 req/s on a faster
 * machine) used up its pool in the cold scenario and had none left to start the warm one.
 */
export const REFRESH_POPULATION = Number(process.env.BENCH_REFRESH_TOKENS ?? 150_000);
/** Tokens cycled by the warm introspection scenario (the in-process cache holds them all). */
export const WARM_TOKENS = 200;

export interface BenchServerInfo {
  url: string;
}

/** Questions a benchmark child answers over IPC. */
export type Question = 'cpu' | 'token-count' | 'cache-stats' | 'audit-check' | `take:access:${number}` | `take:refresh:${number}` | 'shuffled-access';
