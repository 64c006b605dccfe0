/**
 * The example config pointed at this run's demo MCP server (a random port):
 * the resource's URI and the resource-server client's `resource_server_for`
 * move together, or introspection and the revocation stream would refuse it.
 */
import type { GatehouseConfig } from '@gatehouse-auth/cli';
import type { Store } from '@gatehouse-auth/store';

export const RESOURCE_SERVER_CLIENT = 'internal-company-mcp';

export function pointedAt(config: GatehouseConfig, uri: string): GatehouseConfig {
  return {
    ...config,
    resources: config.resources.map((resource) => ({ ...resource, uri })),
    clients: config.clients.map((client) => (client.resource_server_for.length > 0 ? { ...client, resource_server_for: [uri] } : client)),
  };
}

export function resourceServerCredentials(config: GatehouseConfig): { clientId: string; clientSecret: string } {
  const client = config.clients.find((c) => c.client_id === RESOURCE_SERVER_CLIENT) as { client_id: string; secret: string };
  return { clientId: client.client_id, clientSecret: client.secret };
}

/** Acme's id: the demo server serves Acme only (the SDK checks org_id too). */
export async function acmeId(store: Store): Promise<string> {
  const acme = await store.orgs.getBySlug('acme');
  if (!acme) throw new Error('the example config creates the acme organization');
  return acme.id;
}
