/**
 * A company's OpenID provider for end-to-end tests: node-oidc-provider (the
 * certified implementation), listening on 127.0.0.1, with its development
 * login and consent pages (any password) and a directory of people whose
 * email, email_verified, name and groups it asserts.
 */
// biome-ignore lint/correctness/noUndeclaredDependencies: the root devDependency (the reference IdP, as in bench/); tests only, never shipped.
import Provider from 'oidc-provider';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IdpPerson {
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  groups: string[];
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers the relying party's redirect URI (known once Gatehouse listens) and starts answering. */
  start(redirectUri: string): void;
  close(): Promise<void>;
}

/** Listens at once (the issuer needs the port); answers 503 until `start`. */
export async function reserveOidcIdp(people: Record<string, IdpPerson>): Promise<TestIdp> {
  let handler: Parameters<typeof createServer>[1] = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'gatehouse-acme';
  const clientSecret = 'idp-client-secret-0123456789abcdef';
  return {
    issuer,
    clientId,
    clientSecret,
    start(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
        scopes: ['openid', 'email', 'profile', 'groups'],
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
        pkce: { required: () => true },
        cookies: { keys: ['idp-cookie-key-for-tests-only'] },
        async findAccount(_ctx: unknown, sub: string) {
          const person = people[sub];
          if (!person) return undefined;
          return {
            accountId: sub,
            async claims() {
              return { sub, email: person.email, email_verified: person.emailVerified, name: person.name, groups: person.groups };
            },
          };
        },
      });
      // Quiet: the development interactions warn on every start.
      provider.on('server_error', () => {});
      handler = provider.callback();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
