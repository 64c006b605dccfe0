/**
 * The SAML service provider (node-saml) against a samlify IdP: the
 * AuthnRequest it sends, the identity it reads from a genuine response, its
 * metadata, and importing an IdP's metadata.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ATTRIBUTE_NAMES, DEFAULT_CLOCK_SKEW_MS, parseIdpMetadata, type SamlRejected, SamlServiceProvider, serviceProviderMetadata, type SamlProviderSettings } from '../../src/index.ts';
import { createTestIdp, type TestIdp } from '../support/saml-idp.ts';
import { memoryState } from '../support/memory-state.ts';

const ISSUER = 'https://auth.acme.test';
let idp: TestIdp;
let settings: SamlProviderSettings;

beforeAll(() => {
  idp = createTestIdp();
  settings = {
    org: 'acme',
    provider: 'okta',
    idp: parseIdpMetadata(idp.metadata),
    attributes: DEFAULT_ATTRIBUTE_NAMES,
    signatureAlgorithm: 'sha256',
    clockSkewMs: DEFAULT_CLOCK_SKEW_MS,
    trustEmail: true,
  };
});

const newSp = (state = memoryState()) => new SamlServiceProvider({ issuer: ISSUER, settings, state });

describe('SAML service provider', () => {
  it('sends an AuthnRequest to the IdP SSO URL (HTTP-Redirect) naming our entity id and ACS URL', async () => {
    const sp = newSp();
    const { redirectUrl, requestId } = await sp.startSignIn({ browserHash: 'b', interactionId: null });
    expect(redirectUrl.startsWith(`${idp.ssoUrl}?SAMLRequest=`)).toBe(true);
    expect(await idp.requestIdOf(redirectUrl)).toBe(requestId);
  });

  it('reads subject, email, name and groups from a genuine samlify response to its request', async () => {
    const sp = newSp();
    const { requestId } = await sp.startSignIn({ browserHash: 'browser-1', interactionId: 'ia_1' });
    const response = await idp.respond(serviceProviderMetadata(sp.endpoints), {
      inResponseTo: requestId,
      nameId: 'dave@acme.test',
      attributes: { email: 'Dave@Acme.test', name: 'Dave Doe', groups: ['eng', 'leads'] },
    });
    const accepted = await sp.acceptResponse(response);
    expect(accepted.identity).toEqual({
      protocol: 'saml',
      org: 'acme',
      provider: 'okta',
      subject: 'dave@acme.test',
      email: 'dave@acme.test',
      emailVerified: true,
      name: 'Dave Doe',
      groups: ['eng', 'leads'],
    });
    expect(accepted.request).toEqual({ org: 'acme', provider: 'okta', browserHash: 'browser-1', interactionId: 'ia_1' });
  });

  it('accepts a response signed twice (response and assertion)', async () => {
    const sp = newSp();
    const { requestId } = await sp.startSignIn({ browserHash: 'b', interactionId: null });
    const response = await idp.respond(serviceProviderMetadata(sp.endpoints), { inResponseTo: requestId, nameId: 'dave@acme.test' }, { signAssertion: true, signResponse: true });
    expect((await sp.acceptResponse(response)).identity.subject).toBe('dave@acme.test');
  });

  it('reads attributes under configured names (Entra ID claim URIs)', async () => {
    const entra: SamlProviderSettings = {
      ...settings,
      attributes: {
        email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
        name: 'http://schemas.microsoft.com/identity/claims/displayname',
        groups: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
      },
      trustEmail: false,
    };
    const sp = new SamlServiceProvider({ issuer: ISSUER, settings: entra, state: memoryState() });
    const { requestId } = await sp.startSignIn({ browserHash: 'b', interactionId: null });
    const response = await idp.respond(serviceProviderMetadata(sp.endpoints), {
      inResponseTo: requestId,
      nameId: 'object-id-123',
      attributes: {
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'erin@acme.test',
        'http://schemas.microsoft.com/identity/claims/displayname': 'Erin',
        'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': 'eng',
        email: 'ignored@evil.test',
      },
    });
    const { identity } = await sp.acceptResponse(response);
    expect(identity).toMatchObject({ subject: 'object-id-123', email: 'erin@acme.test', emailVerified: false, name: 'Erin', groups: ['eng'] });
  });

  it('publishes SP metadata with the entity id, the HTTP-POST ACS URL and WantAssertionsSigned', () => {
    const xml = serviceProviderMetadata(newSp().endpoints);
    expect(xml).toContain('entityID="https://auth.acme.test/sso/saml/acme/okta/metadata"');
    expect(xml).toContain('WantAssertionsSigned="true"');
    expect(xml).toMatch(/AssertionConsumerService[^>]+Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"[^>]+Location="https:\/\/auth.acme.test\/sso\/saml\/acme\/okta\/acs"/);
  });

  it('imports IdP metadata: entity id, redirect SSO URL and the signing certificate', () => {
    const trust = parseIdpMetadata(idp.metadata);
    expect(trust.entityId).toBe(idp.entityId);
    expect(trust.ssoUrl).toBe(idp.ssoUrl);
    const body = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(trust.certificates.map(body)).toEqual([body(idp.keys.cert)]);
  });

  it('refuses IdP metadata with a DTD, without an IDPSSODescriptor, or without a signing certificate', () => {
    expect(() => parseIdpMetadata(`<!DOCTYPE x [<!ENTITY a "b">]>${idp.metadata}`)).toThrow(/DTD/);
    expect(() => parseIdpMetadata('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>')).toThrow(/IDPSSODescriptor/);
    expect(() => parseIdpMetadata(idp.metadata.replace(/<(\w+:)?KeyDescriptor[\s\S]*<\/(\w+:)?KeyDescriptor>/, ''))).toThrow(/certificate/);
  });

  it('refuses a response from an IdP it does not trust (another key) as a bad signature', async () => {
    const sp = newSp();
    const { requestId } = await sp.startSignIn({ browserHash: 'b', interactionId: null });
    const stranger = createTestIdp({ entityId: idp.entityId });
    const response = await stranger.respond(serviceProviderMetadata(sp.endpoints), { inResponseTo: requestId, nameId: 'dave@acme.test' });
    await expect(sp.acceptResponse(response)).rejects.toMatchObject({ reason: 'signature' } satisfies Partial<SamlRejected>);
  });
});
