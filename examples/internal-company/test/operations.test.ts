/**
 * Consent that explains (issue 16): the consent screen lists under each scope
 * the tools gatehouse.yaml's `operations:` declares, so that map must be what
 * the demo server's tools really require. Each scope alone is given to the
 * real server; the tools it lists are the ones that scope unlocks.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { protectMcpServer, type Principal, type TokenVerifier } from '@gatehouse-auth/mcp';
import { loadConfigFile } from '@gatehouse-auth/cli';
import { createInternalCompanyServer, INTERNAL_COMPANY_SCOPES, seedCompanyData } from '../src/index.ts';

const RESOURCE = 'http://127.0.0.1:4001/mcp';

/** The bearer token is the index of the one scope the caller holds (a scope's ':' is not bearer syntax). */
const oneScope: TokenVerifier = {
  async verify(token) {
    const principal: Principal = {
      subject: 'usr_1',
      kind: 'user',
      orgId: 'org_acme',
      roles: [],
      permissions: [],
      scopes: [INTERNAL_COMPANY_SCOPES[Number(token.slice(1))] ?? 'none'],
      clientId: 'c',
      expiresAt: Date.now() + 60_000,
    };
    return { ok: true, principal };
  },
  async close() {},
};

describe('gatehouse.yaml operations: match what the demo server requires', () => {
  it('each scope unlocks, per the config, exactly the tools the server lists for a token holding only that scope', async () => {
    const config = await loadConfigFile(fileURLToPath(new URL('../gatehouse.yaml', import.meta.url)));
    const declared = config.resources[0]?.operations?.tools ?? {};
    const mcp = protectMcpServer({
      server: createInternalCompanyServer(seedCompanyData(), () => {}),
      issuer: 'http://127.0.0.1:4000',
      resource: RESOURCE,
      scopesSupported: [...INTERNAL_COMPANY_SCOPES],
      organizations: ['org_acme'],
      verifier: oneScope,
    });
    for (const [i, scope] of INTERNAL_COMPANY_SCOPES.entries()) {
      const response = await mcp.fetch(
        new Request(RESOURCE, {
          method: 'POST',
          headers: { authorization: `Bearer s${i}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
        }),
      );
      const body = (await response.json()) as { result?: { tools: { name: string }[] } };
      expect(body.result, JSON.stringify(body)).toBeDefined();
      const listed = (body.result?.tools ?? []).map((tool) => tool.name).sort();
      const unlocked = Object.entries(declared)
        .filter(([, scopes]) => scopes.includes(scope))
        .map(([tool]) => tool)
        .sort();
      expect(unlocked, scope).toEqual(listed);
      expect(listed.length, scope).toBeGreaterThan(0);
    }
  });
});
