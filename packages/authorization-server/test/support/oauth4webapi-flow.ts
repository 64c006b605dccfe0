/**
 * oauth4webapi as a careful client application uses it, for the end-to-end
 * suites: discovery, the authorization request (code + PKCE S256 + state +
 * resource), the browser step, strict response validation (state, RFC 9207
 * iss, token response), introspection as a resource server.
 */
import * as oauth from 'oauth4webapi';
import type { Browser } from 'playwright-core';
import { authorizeInBrowser, type LoginAs } from './browser.ts';
import { registerTestClient } from './seed.ts';
import { DEFAULT_TEST_RESOURCE, type SeededPerson, type TestGatehouse } from './test-gatehouse.ts';

export const REDIRECT_URI = 'http://127.0.0.1:8976/callback';
export const SECRET = 'e2e-client-secret-0123456789abcdef';
/** One client per consent scenario: a remembered consent of one test must not answer another's. */
export const CLIENTS = ['e2e-web-app', 'e2e-untick-app', 'e2e-deny-app', 'e2e-role-app', 'e2e-org-app'] as const;
export type ClientId = (typeof CLIENTS)[number];
const RESOURCE_SERVER: oauth.Client = { client_id: 'e2e-resource-server' };
const RESOURCE_SERVER_SECRET = 'e2e-resource-server-secret-0123456789';
/** Loopback http issuer in tests only. */
export const insecure = { [oauth.allowInsecureRequests]: true } as const;

export async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oauth2', ...insecure }));
}

export interface FlowOptions {
  clientId?: ClientId;
  scope?: string;
  person?: SeededPerson;
  browserSteps?: Omit<LoginAs, 'email' | 'password' | 'until'>;
}

export interface CodeFlowResult {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  callback: URL;
  tokens: oauth.TokenEndpointResponse;
}

/** The authorization request: code + PKCE S256 + state + resource. */
export async function authorizationRequest(as: oauth.AuthorizationServer, client: oauth.Client, scope: string) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    resource: DEFAULT_TEST_RESOURCE,
  }).toString();
  return { url, verifier, state };
}

export function redeem(as: oauth.AuthorizationServer, client: oauth.Client, params: URLSearchParams, verifier: string) {
  return oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(SECRET), params, REDIRECT_URI, verifier, {
    additionalParameters: { resource: DEFAULT_TEST_RESOURCE },
    ...insecure,
  });
}

/** Authorization code + PKCE against `gatehouse`, validated end to end by oauth4webapi. */
export async function codeFlowOn(browser: Browser, gatehouse: TestGatehouse, options: FlowOptions = {}): Promise<CodeFlowResult> {
  const as = await discover(gatehouse.issuer);
  const client: oauth.Client = { client_id: options.clientId ?? 'e2e-web-app' };
  const { url, verifier, state } = await authorizationRequest(as, client, options.scope ?? 'tickets:read tickets:write');
  const person = options.person ?? gatehouse.model.alice;
  const callback = await authorizeInBrowser(browser, url, REDIRECT_URI, { email: person.email, password: person.password, ...options.browserSteps });
  const params = oauth.validateAuthResponse(as, client, callback, state);
  return { as, client, callback, tokens: await oauth.processAuthorizationCodeResponse(as, client, await redeem(as, client, params, verifier)) };
}

/** RFC 7662 introspection by a resource server's confidential client. */
export async function introspect(as: oauth.AuthorizationServer, token: string): Promise<oauth.IntrospectionResponse> {
  const response = await oauth.introspectionRequest(as, RESOURCE_SERVER, oauth.ClientSecretBasic(RESOURCE_SERVER_SECRET), token, insecure);
  return oauth.processIntrospectionResponse(as, RESOURCE_SERVER, response);
}

/** The confidential clients the flows use, plus the resource server's introspection client. */
export async function registerClients(gatehouse: TestGatehouse): Promise<void> {
  for (const id of CLIENTS) await registerTestClient(gatehouse.store, { id, name: `E2E ${id}`, redirectUris: [REDIRECT_URI], secret: SECRET });
  await registerTestClient(gatehouse.store, {
    id: RESOURCE_SERVER.client_id,
    name: 'E2E Resource Server',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    secret: RESOURCE_SERVER_SECRET,
    resourceServerFor: [gatehouse.model.resourceUri],
  });
}
