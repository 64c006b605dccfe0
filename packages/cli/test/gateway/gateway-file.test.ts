/**
 * gateway.yaml: a policy mistake stops startup with file, line and reason
 * (issue 14 §2), every problem at once; a good file builds a gateway whose
 * upstreams are protected resources at the public URL plus their paths.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.ts';
import { parseGatewayFile } from '../../src/gateway/gateway-file.ts';

const GOOD = `issuer: https://auth.acme.test
gateway:
  public_url: https://mcp.acme.test
introspection:
  client_id: acme-gateway
  client_secret_env: GATEWAY_SECRET
upstreams:
  - name: files
    path: /files/mcp
    organizations: [org_acme]
    scopes: [files:read, files:write]
    stdio:
      command: npx
      args: ["-y", "@modelcontextprotocol/server-filesystem", "/srv/acme/home/{subject}"]
    policy:
      tools:
        - name: read_*
          scopes: [files:read]
          arguments:
            path: { path_under: "/srv/acme/home/{subject}" }
        - name: write_file
          scopes: [files:write]
`;
const ENV = { GATEWAY_SECRET: 'gateway-secret-0123456789abcdef' };

const problems = async (text: string, env: Record<string, string> = ENV): Promise<string[]> => {
  try {
    await (await parseGatewayFile(text, 'gateway.yaml', env).create()).close();
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
};

describe('gateway.yaml', () => {
  it('a good file mounts each upstream as its own protected resource', async () => {
    const gateway = await parseGatewayFile(GOOD, 'gateway.yaml', ENV).create();
    try {
      expect(gateway.resources).toEqual({ files: 'https://mcp.acme.test/files/mcp' });
      const prm = await gateway.fetch(new Request('https://mcp.acme.test/.well-known/oauth-protected-resource/files/mcp'));
      expect(await prm.json()).toMatchObject({ resource: 'https://mcp.acme.test/files/mcp', authorization_servers: ['https://auth.acme.test'], scopes_supported: ['files:read', 'files:write'] });
    } finally {
      await gateway.close();
    }
  });

  it('an unknown scope in a rule stops startup with the line of that scope', async () => {
    expect(await problems(GOOD.replace('scopes: [files:write]\n', 'scopes: [files:delete]\n'))).toEqual([
      `gateway.yaml:22:20: upstreams[0].policy.tools[1].scopes[0]: unknown scope "files:delete" (this upstream's scopes: files:read, files:write)`,
    ]);
  });

  it('a bad pattern stops startup with its line and why', async () => {
    expect(await problems(GOOD.replace('- name: read_*', '- name: read_[a-z]*'))).toEqual([
      'gateway.yaml:17:17: upstreams[0].policy.tools[0].name: bad pattern: "read_[a-z]*": brackets and braces are not pattern syntax here (only * and ? are)',
    ]);
  });

  it('reports a misspelt key, a missing secret and an unknown default scope together', async () => {
    const text = GOOD.replace('    policy:\n', '    policy:\n      default: { scope: files:admin }\n');
    expect(await problems(text, {})).toEqual(['gateway.yaml:6:22: introspection.client_secret_env: environment variable GATEWAY_SECRET is not set']);
    expect(await problems(text)).toEqual([`gateway.yaml:16:25: upstreams[0].policy.default.scope: unknown scope "files:admin" (this upstream's scopes: files:read, files:write)`]);
    expect(await problems(GOOD.replace('    stdio:\n', '    stdoi:\n'))).toEqual(expect.arrayContaining([expect.stringMatching(/^gateway\.yaml:12:5: upstreams\[0\]\.stdoi: unknown key "stdoi"/)]));
  });
});
