/** What both benchmark servers are configured with, so they do the same work. */
export const RESOURCE = 'https://mcp.example.com/mcp';
export const SCOPE = 'crm:read crm:write';
export const AGENT = { id: 'bench-agent', secret: 'bench-agent-secret-0123456789abcdefghij' };
export const RESOURCE_SERVER = { id: 'bench-rs', secret: 'bench-rs-secret-0123456789abcdefghijkl' };
export const PUBLIC_CLIENT = 'bench-public';
export const REDIRECT = 'http://127.0.0.1/cb';
/** Access tokens prepared up front for the introspection runs (refresh tokens are minted per run, on request). */
export const INTROSPECTION_TOKENS = 200;
export const REFRESH_TOKENS = 0;

export interface BenchServerInfo {
  url: string;
  /** Access tokens to introspect (client_credentials tokens on both servers). */
  serviceTokens: string[];
  /** Gatehouse only: user access tokens (grant, user and membership lookups). */
  userTokens: string[];
  /** Unused at start; each refresh run asks the server for fresh ones (`refresh-tokens:N` over IPC). */
  refreshTokens: string[];
}
