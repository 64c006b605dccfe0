/**
 * security-catalogue.md, "SAML 2.0 SP": every attack starts from a genuine
 * response the samlify IdP signed for a request this browser really sent,
 * edited the way an attacker would (DOM edits with @xmldom/xmldom, the IdP's
 * signature bytes kept). Each must be refused with the generic 400 page, no
 * sign-in (no identity reaches signIn, so no session or account is made),
 * and the refusal reason in the log naming the check that caught it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStore, type Store } from '@gatehouse-auth/store';
import { createTestStore, requirePostgres, type TestStore } from '@gatehouse-auth/store/testing';
import { createTestIdp, type ResponseFields, type SignOptions, type TestIdp } from '../../../sso/test/support/saml-idp.ts';
import { assertionOf, ASSERTION_NS, DSIG_NS, type Document, type Element, evilCopy, forge, PROTOCOL_NS, xmlOf, encode } from '../../../sso/test/support/forge.ts';
import { createSamlHarness, SamlBrowser, type SamlHarness } from '../federation/saml-harness.ts';

const ACS = '/sso/saml/acme/okta/acs';
let store: Store;
let idp: TestIdp;
let h: SamlHarness;

beforeAll(async () => {
  store = await createStore('sqlite::memory:');
  idp = createTestIdp();
});
afterAll(async () => {
  await store.close();
});
beforeEach(() => {
  h = createSamlHarness(store, idp);
});

/** A browser that started sign-in at acme, and the IdP's genuine answer to it. */
async function genuine(fields: Partial<ResponseFields> = {}, sign?: SignOptions, org = 'acme'): Promise<{ browser: SamlBrowser; requestId: string; response: string }> {
  const browser = new SamlBrowser(h);
  const requestId = await browser.startSignIn('acme', idp);
  const response = await idp.respond(h.spMetadata(org), { inResponseTo: requestId, nameId: 'mallory@acme.test', attributes: { email: 'mallory@acme.test', groups: ['staff'] }, ...fields }, sign);
  return { browser, requestId, response };
}

/** Posts the response to acme's ACS and asserts the refusal: 400 page, nothing signed in, the reason logged. */
async function expectRefused(browser: SamlBrowser, response: string, reason: string, acs = ACS): Promise<void> {
  const answer = await browser.postFromIdp(acs, response);
  expect(answer.status).toBe(400);
  expect(answer.headers.get('location')).toBeNull();
  expect(answer.headers.getSetCookie()).toEqual([]);
  expect(await answer.text()).toContain('Sign-in with your identity provider failed');
  expect(h.signIns).toEqual([]);
  expect(h.logs.at(-1)).toContain(`"reason":"${reason}"`);
  expect(h.events.at(-1)).toMatchObject({ type: 'login.failed', reason: `saml_${reason}` });
}

/** Posts and follows the ACS's redirect with the browser's cookies: the genuine path. */
async function signInWith(browser: SamlBrowser, response: string, acs = ACS): Promise<Response> {
  const answer = await browser.postFromIdp(acs, response);
  expect(answer.status).toBe(303);
  return browser.get(answer.headers.get('location') ?? '');
}

describe('SAML SP: the genuine response (control for every attack below)', () => {
  it('signs in the person the IdP vouched for, through the ACS and this browser’s one-time ticket', async () => {
    const { browser, response } = await genuine();
    const done = await signInWith(browser, response);
    expect(done.status).toBe(200);
    expect(h.signIns).toEqual([{ protocol: 'saml', org: 'acme', provider: 'okta', subject: 'mallory@acme.test', email: 'mallory@acme.test', emailVerified: true, name: undefined, groups: ['staff'] }]);
  });
});

describe('SAML routes', () => {
  it('GET metadata serves the SP metadata of a configured provider, 404 for an unknown org or provider', async () => {
    const browser = new SamlBrowser(h);
    const metadata = await browser.get('/sso/saml/acme/okta/metadata');
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('content-type')).toContain('application/samlmetadata+xml');
    expect(await metadata.text()).toContain('entityID="http://127.0.0.1:4444/sso/saml/acme/okta/metadata"');
    expect((await browser.get('/sso/saml/initech/okta/metadata')).status).toBe(404);
    expect((await browser.get('/sso/saml/acme/onelogin/login')).status).toBe(404);
  });

  it('GET login refuses an interaction this browser did not start', async () => {
    const response = await new SamlBrowser(h).get('/sso/saml/acme/okta/login?interaction=ia_someone-elses');
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('POST acs without a SAMLResponse is a 400 page', async () => {
    const response = await h.app.request('http://127.0.0.1:4444/sso/saml/acme/okta/acs', { method: 'POST', body: 'RelayState=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(400);
    expect(h.signIns).toEqual([]);
  });

  it('GET complete without a ticket, or with a made-up one, signs nobody in', async () => {
    const browser = new SamlBrowser(h);
    expect((await browser.get('/sso/saml/acme/okta/complete')).status).toBe(400);
    expect((await browser.get('/sso/saml/acme/okta/complete?ticket=made-up')).status).toBe(400);
    expect(h.signIns).toEqual([]);
  });
});

describe('catalogue: unsigned assertion', () => {
  it('refuses a response with no signature at all', async () => {
    const { browser, response } = await genuine({}, { signAssertion: false, signResponse: false });
    expect(xmlOf(response)).not.toContain('Signature');
    await expectRefused(browser, response, 'signature');
  });

  it('refuses a signed response around an unsigned assertion (signed assertions are required)', async () => {
    const { browser, response } = await genuine({}, { signAssertion: false, signResponse: true });
    await expectRefused(browser, response, 'signature');
  });

  it('refuses an assertion whose signature was stripped from an otherwise genuine response', async () => {
    const { browser, response } = await genuine();
    const stripped = forge(response, (doc) => {
      const signature = assertionOf(doc).getElementsByTagNameNS(DSIG_NS, 'Signature').item(0);
      signature?.parentNode?.removeChild(signature);
    });
    await expectRefused(browser, stripped, 'signature');
  });

  it('refuses an assertion re-signed by the attacker with their certificate in KeyInfo (only the configured certificate is trusted)', async () => {
    const browser = new SamlBrowser(h);
    const requestId = await browser.startSignIn('acme', idp);
    const attacker = createTestIdp({ entityId: idp.entityId });
    const response = await attacker.respond(h.spMetadata('acme'), { inResponseTo: requestId, nameId: 'admin@acme.test' });
    expect(xmlOf(response)).toContain('X509Certificate');
    await expectRefused(browser, response, 'signature');
  });

  it('refuses an assertion whose signed content was edited (NameID changed after signing)', async () => {
    const { browser, response } = await genuine();
    const edited = forge(response, (doc) => {
      const name = assertionOf(doc).getElementsByTagNameNS(ASSERTION_NS, 'NameID').item(0);
      if (name?.firstChild) name.firstChild.nodeValue = 'admin@acme.test';
    });
    await expectRefused(browser, edited, 'signature');
  });
});

describe('catalogue: signature wrapping (XSW)', () => {
  it('XSW: an unsigned evil assertion after the signed one', async () => {
    const { browser, response } = await genuine();
    const forged = forge(response, (doc) => {
      doc.documentElement?.appendChild(evilCopy(doc, 'admin@acme.test'));
    });
    await expectRefused(browser, forged, 'assertion_count');
  });

  it('XSW: an unsigned evil assertion before the signed one', async () => {
    const { browser, response } = await genuine();
    const forged = forge(response, (doc) => {
      doc.documentElement?.insertBefore(evilCopy(doc, 'admin@acme.test'), assertionOf(doc));
    });
    await expectRefused(browser, forged, 'assertion_count');
  });

  it('XSW: the signed assertion moved into samlp:Extensions, the evil one in its place', async () => {
    const { browser, response } = await genuine();
    const forged = forge(response, (doc) => {
      const root = doc.documentElement!;
      const signed = assertionOf(doc);
      const evil = evilCopy(doc, 'admin@acme.test');
      root.replaceChild(evil, signed);
      const extensions = doc.createElementNS(PROTOCOL_NS, 'samlp:Extensions');
      extensions.appendChild(signed);
      root.insertBefore(extensions, root.getElementsByTagNameNS(PROTOCOL_NS, 'Status').item(0));
    });
    await expectRefused(browser, forged, 'assertion_count');
  });

  it('XSW: the signed assertion moved into samlp:Extensions alone (no assertion left where the verifier reads)', async () => {
    const { browser, response } = await genuine();
    const forged = forge(response, (doc) => {
      const root = doc.documentElement!;
      const signed = assertionOf(doc);
      root.removeChild(signed);
      const extensions = doc.createElementNS(PROTOCOL_NS, 'samlp:Extensions');
      extensions.appendChild(signed);
      root.insertBefore(extensions, root.getElementsByTagNameNS(PROTOCOL_NS, 'Status').item(0));
    });
    await expectRefused(browser, forged, 'assertion_count');
  });

  it('XSW: the signed assertion moved into the signature’s ds:Object, the evil one in its place', async () => {
    const { browser, response } = await genuine({}, { signAssertion: true, signResponse: true });
    const forged = forge(response, (doc) => {
      const root = doc.documentElement!;
      const signed = assertionOf(doc);
      const evil = evilCopy(doc, 'admin@acme.test');
      root.replaceChild(evil, signed);
      const responseSignature = Array.from(root.childNodes).find((n) => n.nodeType === 1 && (n as Element).localName === 'Signature') as Element;
      const object = doc.createElementNS(DSIG_NS, 'ds:Object');
      object.appendChild(signed);
      responseSignature.appendChild(object);
    });
    await expectRefused(browser, forged, 'assertion_count');
  });

  it('XSW: an evil Response wrapping the genuine signed Response', async () => {
    const { browser, response } = await genuine();
    const forged = forge(response, (doc) => {
      const genuineResponse = doc.documentElement!;
      const evil = genuineResponse.cloneNode(false) as Element;
      evil.setAttribute('ID', '_evil-response');
      const issuer = genuineResponse.getElementsByTagNameNS(ASSERTION_NS, 'Issuer').item(0)!.cloneNode(true);
      evil.appendChild(issuer);
      evil.appendChild(genuineResponse.getElementsByTagNameNS(PROTOCOL_NS, 'Status').item(0)!.cloneNode(true));
      evil.appendChild(evilCopy(doc, 'admin@acme.test'));
      const extensions = doc.createElementNS(PROTOCOL_NS, 'samlp:Extensions');
      doc.replaceChild(evil, genuineResponse);
      extensions.appendChild(genuineResponse);
      evil.insertBefore(extensions, evil.firstChild);
    });
    await expectRefused(browser, forged, 'assertion_count');
  });

  it('XSW: an evil assertion carrying the signed assertion’s ID (duplicate id), the signed one kept', async () => {
    const { browser, response } = await genuine();
    const forged = forge(response, (doc) => {
      const signed = assertionOf(doc);
      doc.documentElement?.insertBefore(evilCopy(doc, 'admin@acme.test', signed.getAttribute('ID') ?? ''), signed);
    });
    await expectRefused(browser, forged, 'assertion_count');
  });
});

describe('catalogue: XSW, the node-saml invalid-signature fixture shapes', () => {
  const reference = (doc: Document): Element => assertionOf(doc).getElementsByTagNameNS(DSIG_NS, 'Reference').item(0) as Element;

  it('reference-uri-without-hash: the Reference URI names the id without `#`', async () => {
    const { browser, response } = await genuine();
    await expectRefused(
      browser,
      forge(response, (doc) => reference(doc).setAttribute('URI', (reference(doc).getAttribute('URI') ?? '').replace('#', ''))),
      'signature',
    );
  });

  it('uri-with-quote: the Reference URI carries a quote (an XPath injection attempt)', async () => {
    const { browser, response } = await genuine();
    await expectRefused(
      browser,
      forge(response, (doc) => reference(doc).setAttribute('URI', `${reference(doc).getAttribute('URI')}' or '1'='1`)),
      'signature',
    );
  });

  it('2references: a second Reference added to the SignedInfo', async () => {
    const { browser, response } = await genuine();
    const forged = forge(response, (doc) => {
      const extra = reference(doc).cloneNode(true) as Element;
      extra.setAttribute('URI', '#_evil');
      reference(doc).parentNode?.appendChild(extra);
      doc.documentElement?.appendChild(evilCopy(doc, 'admin@acme.test'));
    });
    await expectRefused(browser, forged, 'assertion_count');
  });

  it('root-signed-twice: the genuine signature copied onto the response root as well', async () => {
    const { browser, response } = await genuine();
    const forged = forge(response, (doc) => {
      const signature = assertionOf(doc).getElementsByTagNameNS(DSIG_NS, 'Signature').item(0)!.cloneNode(true);
      const root = doc.documentElement!;
      root.insertBefore(signature, root.getElementsByTagNameNS(PROTOCOL_NS, 'Status').item(0));
    });
    await expectRefused(browser, forged, 'signature');
  });

  it('multiple-root-elements: a second root element after the signed response', async () => {
    const { browser, response } = await genuine();
    await expectRefused(browser, encode(`${xmlOf(response)}<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`), 'malformed');
  });
});

describe('catalogue: NameID comment or processing-instruction injection', () => {
  it('refuses `user@evil.test<!---->.acme.test`: the signature still verifies (comments are outside c14n) but the response is refused', async () => {
    const { browser, response } = await genuine({ nameId: 'user@evil.test.acme.test' });
    const xml = xmlOf(response).replace('>user@evil.test.acme.test<', '>user@evil.test<!---->.acme.test<');
    expect(xml).toContain('user@evil.test<!---->.acme.test');
    await expectRefused(browser, encode(xml), 'comment_or_instruction');
  });

  it('refuses a processing instruction inside the NameID (`<?p not-an-?>admin@…`)', async () => {
    const { browser, response } = await genuine({ nameId: 'admin@acme.test.evil.test' });
    const xml = xmlOf(response).replace('>admin@acme.test.evil.test<', '><?p not-an-?>admin@acme.test<?p x?>.evil.test<');
    await expectRefused(browser, encode(xml), 'comment_or_instruction');
  });
});

describe('catalogue: conditions and binding', () => {
  it('wrong audience: an assertion for another SP entity id', async () => {
    const { browser, response } = await genuine({ audience: 'https://other-sp.example/metadata' });
    await expectRefused(browser, response, 'audience_or_conditions');
  });

  it('expired assertion: NotOnOrAfter in the past (beyond the clock skew)', async () => {
    const past = new Date(Date.now() - 10 * 60_000);
    const { browser, response } = await genuine({ notBefore: new Date(Date.now() - 20 * 60_000), notOnOrAfter: past });
    await expectRefused(browser, response, 'audience_or_conditions');
  });

  it('not yet valid: NotBefore in the future (beyond the clock skew)', async () => {
    const { browser, response } = await genuine({ notBefore: new Date(Date.now() + 10 * 60_000), notOnOrAfter: new Date(Date.now() + 20 * 60_000) });
    await expectRefused(browser, response, 'audience_or_conditions');
  });

  it('no NotOnOrAfter: an assertion that never expires is refused', async () => {
    const { browser, response } = await genuine({ omitNotOnOrAfter: true });
    expect(xmlOf(response)).not.toContain('NotOnOrAfter');
    await expectRefused(browser, response, 'audience_or_conditions');
  });

  it('wrong Recipient: the bearer confirmation names another ACS URL', async () => {
    const { browser, response } = await genuine({ recipient: 'https://evil.example/acs' });
    await expectRefused(browser, response, 'recipient');
  });

  it('wrong Destination: the response was addressed to another ACS URL', async () => {
    const { browser, response } = await genuine({ destination: 'https://evil.example/acs' });
    await expectRefused(browser, response, 'destination');
  });

  it('assertion for another org’s SP: globex’s response presented at acme is refused (its Destination)', async () => {
    const { browser, response } = await genuine({}, undefined, 'globex');
    await expectRefused(browser, response, 'destination');
  });

  it('assertion for another org’s SP: with the unsigned Destination rewritten to acme, the signed audience still refuses it', async () => {
    const { browser, response } = await genuine({}, undefined, 'globex');
    const rewritten = forge(response, (doc) => doc.documentElement?.setAttribute('Destination', `http://127.0.0.1:4444${ACS}`));
    await expectRefused(browser, rewritten, 'audience_or_conditions');
  });

  it('assertion from another issuer: the Issuer is not the configured IdP', async () => {
    const { browser, response } = await genuine({ issuer: 'https://other-idp.example' });
    await expectRefused(browser, response, 'issuer');
  });
});

describe('catalogue: InResponseTo and replay', () => {
  it('wrong InResponseTo: a signed answer to a request this SP never sent', async () => {
    const browser = new SamlBrowser(h);
    await browser.startSignIn('acme', idp);
    const response = await idp.respond(h.spMetadata('acme'), { inResponseTo: '_never-sent', nameId: 'mallory@acme.test' });
    await expectRefused(browser, response, 'unknown_request');
  });

  it('wrong InResponseTo: the unsigned Response@InResponseTo rewritten to another request', async () => {
    const { browser, response } = await genuine();
    const other = await new SamlBrowser(h).startSignIn('acme', idp);
    const rewritten = forge(response, (doc) => doc.documentElement?.setAttribute('InResponseTo', other));
    await expectRefused(browser, rewritten, 'in_response_to');
  });

  it('unsolicited (IdP-initiated) response without InResponseTo is refused', async () => {
    const { browser, response } = await genuine({ inResponseTo: null });
    await expectRefused(browser, response, 'in_response_to');
  });

  it('a request started at globex cannot be answered at acme', async () => {
    const browser = new SamlBrowser(h);
    const globexRequest = await browser.startSignIn('globex', idp);
    const response = await idp.respond(h.spMetadata('acme'), { inResponseTo: globexRequest, nameId: 'mallory@acme.test' });
    await expectRefused(browser, response, 'unknown_request');
  });

  it('reused InResponseTo: a second, different response to a request already answered is refused', async () => {
    const { browser, requestId, response } = await genuine();
    expect((await signInWith(browser, response)).status).toBe(200);
    h.signIns.length = 0;
    const second = await idp.respond(h.spMetadata('acme'), { inResponseTo: requestId, nameId: 'mallory@acme.test' });
    await expectRefused(browser, second, 'unknown_request');
  });

  it('replayed assertion: the same response posted twice signs in once', async () => {
    const { browser, response } = await genuine();
    expect((await signInWith(browser, response)).status).toBe(200);
    h.signIns.length = 0;
    await expectRefused(browser, response, 'replayed');
  });

  it('login CSRF: an attacker’s genuine response, posted from the victim’s browser, signs nobody in there', async () => {
    const attacker = await genuine();
    const answer = await attacker.browser.postFromIdp(ACS, attacker.response);
    expect(answer.status).toBe(303);
    const victim = new SamlBrowser(h);
    await victim.get('/sso/saml/acme/okta/metadata');
    const landed = await victim.get(answer.headers.get('location') ?? '');
    expect(landed.status).toBe(400);
    expect(h.signIns).toEqual([]);
    expect(h.logs.at(-1)).toContain('"reason":"other_browser"');
    // And the ticket is spent: the attacker's own browser cannot use it after the victim's attempt either.
    expect((await attacker.browser.get(answer.headers.get('location') ?? '')).status).toBe(400);
  });

  it('weak algorithm: an assertion signed with RSA-SHA1 by the trusted key is refused', async () => {
    const browser = new SamlBrowser(h);
    const requestId = await browser.startSignIn('acme', idp);
    const sha1 = createTestIdp({ entityId: idp.entityId, keys: idp.keys, signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' });
    const response = await sha1.respond(h.spMetadata('acme'), { inResponseTo: requestId, nameId: 'mallory@acme.test' });
    expect(xmlOf(response)).toContain('xmldsig#rsa-sha1');
    await expectRefused(browser, response, 'weak_algorithm');
  });

  it('size: a response over 256 KiB is refused unread', async () => {
    const { browser } = await genuine();
    await expectRefused(browser, Buffer.alloc(300 * 1024, 'a').toString('base64'), 'malformed');
  });

  it('deep nesting: an assertion nested 30,000 elements deep is refused with the page, not a server error', async () => {
    const { browser, response } = await genuine();
    const depth = 30_000;
    const xml = xmlOf(response).replace('<saml:AttributeStatement>', `<saml:AttributeStatement>${'<x>'.repeat(depth)}${'</x>'.repeat(depth)}`);
    await expectRefused(browser, encode(xml), 'signature');
  });

  it('XXE / billion laughs: a response with a DTD is refused before parsing entities', async () => {
    const { browser, response } = await genuine();
    const xml = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${xmlOf(response)}`;
    await expectRefused(browser, encode(xml), 'doctype');
  });
});

const postgres = await requirePostgres('SAML replay across two processes on PostgreSQL');

describe('catalogue: replayed assertion across two SP instances sharing the store', () => {
  it('SQLite: a response accepted by one instance is refused by another instance on the same database', async () => {
    const { browser, response } = await genuine();
    expect((await signInWith(browser, response)).status).toBe(200);
    const second = createSamlHarness(store, idp);
    const replay = await new SamlBrowser(second).postFromIdp(ACS, response);
    expect(replay.status).toBe(400);
    expect(second.signIns).toEqual([]);
    expect(second.logs.at(-1)).toContain('"reason":"replayed"');
  });

  describe.skipIf(!postgres)('PostgreSQL', () => {
    let pg: TestStore;
    let otherPool: Store;
    beforeAll(async () => {
      pg = await createTestStore('postgres');
      otherPool = await pg.openAnother();
    });
    afterAll(async () => {
      await pg?.cleanup();
    });

    it('two instances on two pools: the replay is refused by the instance that never saw the first use', async () => {
      const first = createSamlHarness(pg.store, idp);
      const second = createSamlHarness(otherPool, idp);
      const browser = new SamlBrowser(first);
      const requestId = await browser.startSignIn('acme', idp);
      const response = await idp.respond(first.spMetadata('acme'), { inResponseTo: requestId, nameId: 'mallory@acme.test' });
      const answer = await browser.postFromIdp(ACS, response);
      expect(answer.status).toBe(303);
      expect((await browser.get(answer.headers.get('location') ?? '')).status).toBe(200);
      expect(first.signIns).toHaveLength(1);
      const replay = await new SamlBrowser(second).postFromIdp(ACS, response);
      expect(replay.status).toBe(400);
      expect(second.signIns).toEqual([]);
      expect(second.logs.at(-1)).toContain('"reason":"replayed"');
    });

    it('two instances on two pools: the same response raced at both is accepted by exactly one', async () => {
      const first = createSamlHarness(pg.store, idp);
      const second = createSamlHarness(otherPool, idp);
      const browser = new SamlBrowser(first);
      const requestId = await browser.startSignIn('acme', idp);
      const response = await idp.respond(first.spMetadata('acme'), { inResponseTo: requestId, nameId: 'mallory@acme.test' });
      const answers = await Promise.all([first, second, first, second].map((instance) => new SamlBrowser(instance).postFromIdp(ACS, response)));
      expect(answers.map((a) => a.status).sort()).toEqual([303, 400, 400, 400]);
    });
  });
});
