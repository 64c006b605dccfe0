/**
 * SAML sign-in routes in process: the routes mounted on their own app over
 * a given store, a samlify IdP trusted by two orgs (acme, globex: one IdP,
 * two SP entities, as one Okta tenant with two apps), a recording signIn in
 * place of completeFederatedSignIn, and a browser that keeps cookies but,
 * like a real one, sends none with the IdP's cross-site POST to the ACS.
 */
import { Hono } from 'hono';
import { LocalEventBus, ManualClock, type GatehouseEvent } from '@gatehouse-auth/core';
import type { Store } from '@gatehouse-auth/store';
import { DEFAULT_ATTRIBUTE_NAMES, parseIdpMetadata, serviceProviderMetadata, spEndpoints, type FederatedIdentity, type SamlProviderSettings } from '@gatehouse-auth/sso';
import { mountSamlRoutes, type FederatedSignIn } from '../../src/federation/saml-routes.ts';
import { resolveOptions, type AppEnv, type ServerContext } from '../../src/index.ts';
import { createTestIdp, type TestIdp } from '../../../sso/test/support/saml-idp.ts';

export const ISSUER = 'http://127.0.0.1:4444';

export interface SamlHarness {
  app: Hono<AppEnv>;
  store: Store;
  idp: TestIdp;
  /** Every identity the ACS handed to signIn: a refused response must add none. */
  signIns: FederatedIdentity[];
  events: GatehouseEvent[];
  logs: string[];
  /** The SP metadata of an org's provider, as an IdP admin would import it. */
  spMetadata(org: string, provider?: string): string;
}

export function providerSettings(idp: TestIdp, org: string, provider = 'okta'): SamlProviderSettings {
  return { org, provider, idp: parseIdpMetadata(idp.metadata), attributes: DEFAULT_ATTRIBUTE_NAMES, signatureAlgorithm: 'sha256', clockSkewMs: 60_000, trustEmail: true };
}

export function createSamlHarness(store: Store, idp: TestIdp = createTestIdp(), signIn?: FederatedSignIn, issuer = ISSUER): SamlHarness {
  const signIns: FederatedIdentity[] = [];
  const events: GatehouseEvent[] = [];
  const logs: string[] = [];
  const clock = new ManualClock(Date.now());
  const bus = new LocalEventBus(() => clock.now());
  bus.subscribe((event) => {
    events.push(event);
  });
  const ctx: ServerContext = {
    store,
    events: bus,
    clock,
    options: resolveOptions({ issuer }),
    log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
  };
  const providers = new Map(['acme', 'globex'].map((org) => [`${org}/okta`, providerSettings(idp, org)]));
  const app = new Hono<AppEnv>();
  mountSamlRoutes(app, ctx, {
    providers: async (_ctx, org, provider) => providers.get(`${org}/${provider}`),
    signIn:
      signIn ??
      (async (_c, _ctx, identity) => {
        signIns.push(identity);
        return new Response('signed in', { status: 200 });
      }),
  });
  return { app, store, idp, signIns, events, logs, spMetadata: (org, provider = 'okta') => serviceProviderMetadata(spEndpoints(issuer, org, provider)) };
}

/** A browser: keeps cookies for the issuer, sends them on its own navigations, none with a cross-site POST. */
export class SamlBrowser {
  readonly cookies = new Map<string, string>();
  constructor(private readonly h: { app: Hono<AppEnv> }) {}

  async get(pathOrUrl: string): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${ISSUER}${pathOrUrl}`;
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await this.h.app.request(url, { headers: cookie ? { cookie } : {} }, { incoming: { socket: { remoteAddress: '203.0.113.7' } } });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return response;
  }

  /** The IdP's auto-submitted form: cross-site, so SameSite=Lax cookies stay home. */
  async postFromIdp(path: string, samlResponse: string, relayState = ''): Promise<Response> {
    return await this.h.app.request(
      `${ISSUER}${path}`,
      {
        method: 'POST',
        body: new URLSearchParams({ SAMLResponse: samlResponse, RelayState: relayState }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://idp.acme.test' },
      },
      { incoming: { socket: { remoteAddress: '203.0.113.7' } } },
    );
  }

  /** Starts sign-in at an org's provider and returns the AuthnRequest id the IdP received. */
  async startSignIn(org: string, idp: TestIdp, query = ''): Promise<string> {
    const response = await this.get(`/sso/saml/${org}/okta/login${query}`);
    if (response.status !== 302) throw new Error(`login answered ${response.status}: ${await response.text()}`);
    return idp.requestIdOf(response.headers.get('location') ?? '');
  }
}
