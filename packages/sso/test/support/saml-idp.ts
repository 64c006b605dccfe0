/**
 * A SAML identity provider for tests, built on samlify: a different SAML
 * library than the node-saml our service provider runs on, so the two only
 * meet through the standard. It signs with a throwaway RSA key and
 * certificate made by the openssl command line, and lets a test choose
 * every field an attacker could (audience, recipient, destination, times,
 * InResponseTo, NameID, attributes), then hands back samlify's signed
 * response for the test to tamper with.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as samlify from 'samlify';

export interface KeyPair {
  key: string;
  cert: string;
}

/** An RSA-2048 key and self-signed certificate (Node cannot issue X.509 itself). */
export function rsaKeyPair(commonName = 'test-idp'): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-saml-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', `/CN=${commonName}`], { stdio: 'ignore' });
    return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ResponseFields {
  /** The AuthnRequest this answers (both the Response's and the SubjectConfirmationData's InResponseTo); null: unsolicited. */
  inResponseTo: string | null;
  nameId: string;
  attributes?: Record<string, string | string[]>;
  /** Default: the SP's entity id. */
  audience?: string;
  /** Default: the SP's ACS URL. */
  destination?: string;
  /** Default: the SP's ACS URL. */
  recipient?: string;
  /** Default: now - 1 min. */
  notBefore?: Date;
  /** Default: now + 5 min. */
  notOnOrAfter?: Date;
  /** Default: a fresh id. */
  assertionId?: string;
  /** Default: the IdP's entity id. */
  issuer?: string;
  /** Leave NotOnOrAfter out of the SubjectConfirmationData and the Conditions (an assertion that never expires). */
  omitNotOnOrAfter?: boolean;
}

export interface SignOptions {
  /** Sign the assertion (what our SP requires). Default true. */
  signAssertion?: boolean;
  /** Sign the whole response too. Default false. */
  signResponse?: boolean;
}

export interface TestIdp {
  entityId: string;
  ssoUrl: string;
  keys: KeyPair;
  /** The IdP's metadata document (EntityDescriptor with signing certificate and SSO URL). */
  metadata: string;
  /** A samlify-built, samlify-signed SAMLResponse (base64) for the SP described by `spMetadata`. */
  respond(spMetadata: string, fields: ResponseFields, options?: SignOptions): Promise<string>;
  /** The AuthnRequest id in a redirect-binding URL our SP sent the browser to. */
  requestIdOf(redirectUrl: string): Promise<string>;
}

let validatorSet = false;
function permissiveSchemaValidator(): void {
  // samlify refuses to parse without an XSD validator; the IdP side of a test trusts its own SP's requests.
  if (validatorSet) return;
  samlify.setSchemaValidator({ validate: async () => 'skipped' });
  validatorSet = true;
}

const xmlEscape = (value: string): string => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function createTestIdp(options: { entityId?: string; ssoUrl?: string; keys?: KeyPair; signatureAlgorithm?: string } = {}): TestIdp {
  permissiveSchemaValidator();
  const entityId = options.entityId ?? 'https://idp.acme.test/saml';
  const ssoUrl = options.ssoUrl ?? 'https://idp.acme.test/sso';
  const keys = options.keys ?? rsaKeyPair();
  const idp = samlify.IdentityProvider({
    entityID: entityId,
    privateKey: keys.key,
    signingCert: keys.cert,
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: ssoUrl }],
    requestSignatureAlgorithm: options.signatureAlgorithm ?? 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  return {
    entityId,
    ssoUrl,
    keys,
    metadata: idp.getMetadata(),
    async respond(spMetadata, fields, sign = {}) {
      const signAssertion = sign.signAssertion ?? true;
      const signResponse = sign.signResponse ?? false;
      // samlify signs the assertion when the SP's metadata asks for it, and the response when the SP wants messages signed.
      const metadata = spMetadata.replace(/WantAssertionsSigned="(true|false)"/, `WantAssertionsSigned="${signAssertion}"`);
      const sp = samlify.ServiceProvider({ metadata, wantMessageSigned: signResponse });
      const acs = /AssertionConsumerService[^>]*Location="([^"]+)"/.exec(spMetadata)?.[1] ?? '';
      const audience = /entityID="([^"]+)"/.exec(spMetadata)?.[1] ?? '';
      const now = new Date();
      const responseId = `_${randomBytes(16).toString('hex')}`;
      const xml = responseXml({
        responseId,
        assertionId: fields.assertionId ?? `_${randomBytes(16).toString('hex')}`,
        issueInstant: now.toISOString(),
        destination: fields.destination ?? acs,
        recipient: fields.recipient ?? acs,
        audience: fields.audience ?? audience,
        issuer: fields.issuer ?? entityId,
        inResponseTo: fields.inResponseTo,
        nameId: fields.nameId,
        notBefore: (fields.notBefore ?? new Date(now.getTime() - 60_000)).toISOString(),
        notOnOrAfter: (fields.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString(),
        attributes: fields.attributes ?? {},
      }).replace(fields.omitNotOnOrAfter ? / NotOnOrAfter="[^"]*"/g : /$^/, '');
      const result = await idp.createLoginResponse(sp, { extract: { request: { id: fields.inResponseTo ?? '' } } } as never, 'post', { email: fields.nameId }, () => ({
        id: responseId,
        context: xml,
      }));
      const context = (result as { context: string }).context;
      if (!signAssertion && !signResponse) {
        // samlify signs the response whenever the assertion is not signed; a wholly unsigned response is that one with its signature removed.
        const plain = Buffer.from(context, 'base64')
          .toString('utf8')
          .replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, '');
        return Buffer.from(plain, 'utf8').toString('base64');
      }
      return context;
    },
    async requestIdOf(redirectUrl) {
      const url = new URL(redirectUrl);
      const query = Object.fromEntries(url.searchParams);
      const sp = samlify.ServiceProvider({ entityID: 'unused', wantAssertionsSigned: true });
      const parsed = await idp.parseLoginRequest(sp, 'redirect', { query, octetString: '' } as never);
      return String((parsed.extract as { request: { id: string } }).request.id);
    },
  };
}

interface Fields {
  responseId: string;
  assertionId: string;
  issueInstant: string;
  destination: string;
  recipient: string;
  audience: string;
  issuer: string;
  inResponseTo: string | null;
  nameId: string;
  notBefore: string;
  notOnOrAfter: string;
  attributes: Record<string, string | string[]>;
}

/** The response as Okta shapes it, every value escaped; `nameId` may carry raw markup when a test says so (`{raw}` prefix). */
function responseXml(f: Fields): string {
  const irt = f.inResponseTo === null ? '' : ` InResponseTo="${xmlEscape(f.inResponseTo)}"`;
  const nameId = f.nameId.startsWith('{raw}') ? f.nameId.slice(5) : xmlEscape(f.nameId);
  const attributes = Object.entries(f.attributes)
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${xmlEscape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${(Array.isArray(values) ? values : [values])
          .map((v) => `<saml:AttributeValue xsi:type="xs:string">${xmlEscape(v)}</saml:AttributeValue>`)
          .join('')}</saml:Attribute>`,
    )
    .join('');
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${f.responseId}" Version="2.0" IssueInstant="${f.issueInstant}" Destination="${xmlEscape(f.destination)}"${irt}>` +
    `<saml:Issuer>${xmlEscape(f.issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${f.assertionId}" Version="2.0" IssueInstant="${f.issueInstant}">` +
    `<saml:Issuer>${xmlEscape(f.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${nameId}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${f.notOnOrAfter}" Recipient="${xmlEscape(f.recipient)}"${irt}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${f.notBefore}" NotOnOrAfter="${f.notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${xmlEscape(f.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${f.issueInstant}" SessionIndex="${f.assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` +
    `</saml:Assertion></samlp:Response>`
  );
}
