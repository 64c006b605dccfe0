/**
 * Starts the demo MCP server on node:http, protected by @gatehouse-auth/mcp with
 * introspection (the CLI's `gatehouse dev` runs it on 127.0.0.1:4001/mcp).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { protectMcpServer, toNodeListener, type DecisionRecord, type Policy, type RefusedTokens } from '@gatehouse-auth/mcp';
import { seedCompanyData, type CompanyData } from './data.ts';
import { INTERNAL_COMPANY_SCOPES } from './scopes.ts';
import { createInternalCompanyServer } from './tools.ts';

export interface InternalCompanyServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4001; 0 picks a free port. */
  port?: number;
  issuer: string;
  /** Canonical resource URI; default `http://{host}:{port}/mcp`. Its path is where MCP is served. */
  resource?: string;
  introspection: { clientId: string; clientSecret: string; cacheTtlMs?: number; onCacheLookup?: (result: 'hit' | 'coalesced' | 'miss') => void };
  /**
   * Ids of the organizations this server serves (Acme's, in the demo): a
   * token of any other org is refused even if the authorization server
   * issued it (defence in depth, issue 10).
   */
  organizations: string[];
  /**
   * Verify RFC 9068 JWT access tokens locally against `{issuer}/jwks.json`
   * instead of introspecting (the AS must issue JWTs: access_token_format: jwt).
   * The introspection credentials then only open the revocation stream.
   */
  jwt?: boolean;
  /** Runtime policy after the scope check, e.g. the company's Cedar policies (docs/policy.md, test/cedar-policies.e2e.test.ts). */
  policy?: Policy;
  /** The data the tools serve (default: a fresh seedCompanyData()); share it with policy lookups (policy-inputs.ts). */
  data?: CompanyData;
  onDecision?: (record: DecisionRecord) => void | Promise<void>;
  /** Refused bearer tokens, aggregated per client and reason over 10 s. */
  onRefusedTokens?: (refusals: RefusedTokens) => void | Promise<void>;
  onError?: (error: unknown) => void;
  /** Told the name of each tool whose handler actually ran. */
  onToolRun?: (tool: string) => void;
}

export interface RunningInternalCompanyServer {
  /** The MCP endpoint, e.g. http://127.0.0.1:4001/mcp */
  url: string;
  resource: string;
  close(): Promise<void>;
}

export async function startInternalCompanyServer(options: InternalCompanyServerOptions): Promise<RunningInternalCompanyServer> {
  const host = options.host ?? '127.0.0.1';
  let listener: ReturnType<typeof toNodeListener> | undefined;
  const http = createServer((req, res) => {
    if (!listener) return void res.writeHead(503, { 'retry-after': '1' }).end();
    void listener(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 4001, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const resource = options.resource ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}/mcp`;
  const mcp = protectMcpServer({
    server: createInternalCompanyServer(options.data ?? seedCompanyData(), options.onToolRun),
    issuer: options.issuer,
    resource,
    resourceName: 'Acme internal tools',
    scopesSupported: [...INTERNAL_COMPANY_SCOPES],
    requiredScopes: [],
    organizations: options.organizations,
    ...(options.jwt ? { jwt: { revocation: { clientId: options.introspection.clientId, clientSecret: options.introspection.clientSecret } } } : { introspection: options.introspection }),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.onDecision ? { onDecision: options.onDecision } : {}),
    ...(options.onRefusedTokens ? { onRefusedTokens: options.onRefusedTokens } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  listener = toNodeListener(mcp);
  const url = new URL(mcp.mcpPath, `http://${host.includes(':') ? `[${host}]` : host}:${port}`).href;
  return {
    url,
    resource,
    async close() {
      await mcp.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
