/**
 * OpenID Connect Core 1.0 §3.1 as Gatehouse's relying party checks it
 * (through openid-client): every refusal here is a sign-in that must not
 * happen. The IdP is scripted (fake-idp.ts) so each test can bend exactly
 * one thing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CLAIM_NAMES, discoverRelyingParty, type OidcProviderSettings } from '../../src/index.ts';
import { CLIENT_ID, fakeIdp, ISSUER, REDIRECT_URI, type FakeIdp } from './fake-idp.ts';

const settings: OidcProviderSettings = {
  id: 'okta',
  issuer: ISSUER,
  clientId: CLIENT_ID,
  clientSecret: 'secret-secret-secret',
  scopes: ['email', 'profile', 'groups'],
  claims: DEFAULT_CLAIM_NAMES,
  userinfo: 'auto',
};

let idp: FakeIdp;
beforeEach(() => {
  idp = fakeIdp();
});

/** Starts a sign-in, lets the IdP "see" the authorization request, and returns the callback the browser would bring back. */
async function signIn(over: { settings?: Partial<OidcProviderSettings>; callback?: (p: URLSearchParams) => void; pending?: (p: Record<string, string>) => void } = {}) {
  const rp = await discoverRelyingParty({ ...settings, ...over.settings }, { fetch: idp.fetch });
  const { url, pending } = await rp.start(REDIRECT_URI);
  idp.authorizeNonce = url.searchParams.get('nonce') ?? '';
  const callback = new URLSearchParams({ code: 'code-1', state: url.searchParams.get('state') ?? '', iss: ISSUER });
  over.callback?.(callback);
  const kept = { ...pending };
  over.pending?.(kept);
  return { url, finish: () => rp.finish(callback, kept, 'acme') };
}

/** What the refusal says, with the library's detail (its `cause`): which check failed. */
async function refusal(attempt: Promise<unknown>): Promise<string> {
  return attempt.then(
    () => 'accepted',
    (error: unknown) => {
      const parts: string[] = [];
      for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
        if (typeof e !== 'object') break;
        const { message, cause: _cause, ...fields } = e;
        parts.push(`${message ?? ''} ${JSON.stringify(fields)}`);
      }
      return parts.join(' <- ');
    },
  );
}

describe('OIDC relying party', () => {
  it('sends code + PKCE S256, state and nonce, and returns the identity from the verified ID token', async () => {
    const { url, finish } = await signIn();
    expect(url.origin + url.pathname).toBe(`${ISSUER}/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')).toBe('openid email profile groups');
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(await finish()).toEqual({ protocol: 'oidc', org: 'acme', provider: 'okta', subject: 'okta-dave', email: 'dave@acme.test', emailVerified: true, name: 'Dave', groups: ['eng'] });
    expect(idp.userinfoCalls).toBe(0);
  });

  it('OIDC Core §3.1.3.7: refuses an ID token whose nonce is not the one this browser sent', async () => {
    const { finish } = await signIn({ pending: (p) => void (p['nonce'] = 'another-nonce') });
    expect(await refusal(finish())).toMatch(/"claim":"nonce"/);
  });

  it('OIDC Core §3.1.3.7: refuses an ID token from another issuer', async () => {
    const base = idp.idTokenClaims;
    idp.idTokenClaims = (nonce) => ({ ...base(nonce), iss: 'https://evil.test' });
    const { finish } = await signIn();
    expect(await refusal(finish())).toMatch(/"claim":"iss"/);
  });

  it('OIDC Core §3.1.3.7: refuses an ID token issued to another client (aud)', async () => {
    const base = idp.idTokenClaims;
    idp.idTokenClaims = (nonce) => ({ ...base(nonce), aud: 'someone-else' });
    const { finish } = await signIn();
    expect(await refusal(finish())).toMatch(/"claim":"aud"/);
  });

  it('OIDC Core §3.1.3.7: refuses an ID token signed by a key the IdP does not publish', async () => {
    idp.signWithStrangerKey = true;
    const { finish } = await signIn();
    expect(await refusal(finish())).toMatch(/signature/i);
  });

  it('OIDC Core §3.1.3.7: refuses an expired ID token', async () => {
    const base = idp.idTokenClaims;
    idp.idTokenClaims = (nonce) => ({ ...base(nonce), exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 });
    const { finish } = await signIn();
    expect(await refusal(finish())).toMatch(/"claim":"exp"/);
  });

  it('RFC 9207: refuses an authorization response whose iss parameter names another issuer (mix-up)', async () => {
    const { finish } = await signIn({ callback: (p) => p.set('iss', 'https://evil.test') });
    expect(await refusal(finish())).toMatch(/"iss"/);
  });

  it('RFC 6749 §10.12: refuses a callback whose state is not the one this browser started with', async () => {
    const { finish } = await signIn({ callback: (p) => p.set('state', 'forged') });
    expect(await refusal(finish())).toMatch(/state/);
  });

  it('refuses an error response from the IdP', async () => {
    const { finish } = await signIn({ callback: (p) => (p.delete('code'), p.set('error', 'access_denied')) });
    expect(await refusal(finish())).toMatch(/access_denied/);
  });

  it('an email the IdP did not mark verified is carried as unverified', async () => {
    const base = idp.idTokenClaims;
    idp.idTokenClaims = (nonce) => ({ ...base(nonce), email_verified: false });
    const { finish } = await signIn();
    expect((await finish()).emailVerified).toBe(false);
  });

  it('asks userinfo for what the ID token lacks, through the configured claim names', async () => {
    const base = idp.idTokenClaims;
    idp.idTokenClaims = (nonce) => {
      const { email: _e, email_verified: _v, groups: _g, ...rest } = base(nonce);
      return rest;
    };
    idp.userinfo = { mail: 'Dave@Acme.test', mail_ok: true, teams: 'eng' };
    const { finish } = await signIn({ settings: { claims: { ...DEFAULT_CLAIM_NAMES, email: 'mail', emailVerified: 'mail_ok', groups: 'teams' } } });
    expect(await finish()).toMatchObject({ email: 'dave@acme.test', emailVerified: true, groups: ['eng'] });
    expect(idp.userinfoCalls).toBe(1);
  });

  it('refuses discovery whose document names another issuer', async () => {
    await expect(discoverRelyingParty({ ...settings, issuer: 'https://idp.acme.test/other' }, { fetch: idp.fetch })).rejects.toThrow();
  });
});
