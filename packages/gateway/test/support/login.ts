/**
 * A real login for the official SDK client: its first request meets the
 * gateway's 401, it discovers the upstream's PRM and Gatehouse's metadata,
 * registers (RFC 7591), and the person signs in and consents in headless
 * Chromium; the code goes back to the SDK (PKCE, resource indicator).
 */
import type { Browser } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { authorizeInBrowser } from '../../../authorization-server/test/support/browser.ts';
import { RecordingOAuthProvider } from '../../../authorization-server/test/support/mcp-client-provider.ts';

export const REDIRECT_URL = 'http://127.0.0.1:8983/oauth/callback';

export async function signIn(browser: Browser, resource: string, person: { email: string; password: string }): Promise<RecordingOAuthProvider> {
  const provider = new RecordingOAuthProvider({ redirectUrl: REDIRECT_URL, clientName: `gateway e2e (${person.email})` });
  const transport = new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider });
  const client = new Client({ name: 'gateway-e2e', version: '1.0.0' });
  const failed = await client.connect(transport).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(failed instanceof UnauthorizedError)) throw new Error(`expected the gateway to ask for authorization, got ${String(failed)}`);
  const url = provider.authorizationUrls.at(-1);
  if (!url) throw new Error('the SDK never asked to open an authorization URL');
  const callback = await authorizeInBrowser(browser, url, REDIRECT_URL, { email: person.email, password: person.password });
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`authorization failed: ${callback.search}`);
  await transport.finishAuth(code);
  return provider;
}

/** The official SDK client through the gateway with the signed-in person's token. */
export async function connectAs(provider: RecordingOAuthProvider, resource: string, client = new Client({ name: 'gateway-e2e', version: '1.0.0' })): Promise<Client> {
  await client.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider }));
  return client;
}
