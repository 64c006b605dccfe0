/**
 * Checks on the raw response document before any signature is looked at:
 * the structural tricks of signature wrapping (XSW) and NameID truncation
 * are refused by shape, so the signed element node-saml verifies is the only
 * assertion there is. node-saml then verifies the signature against the
 * configured certificates; these checks only ever narrow what it accepts.
 */
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { SamlRejected } from './rejection.ts';
import type { SamlSignatureAlgorithm } from './settings.ts';

const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** A real response with a few dozen groups is a few tens of KB; anything past this is refused unread. */
export const MAX_RESPONSE_BYTES = 256 * 1024;

const ALGORITHMS: Record<SamlSignatureAlgorithm, { signature: string[]; digest: string[] }> = {
  sha256: {
    signature: ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512'],
    digest: ['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512'],
  },
  sha512: {
    signature: ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha512'],
    digest: ['http://www.w3.org/2001/04/xmlenc#sha512'],
  },
};

export interface ResponseShape {
  readonly xml: string;
  /** The Response's InResponseTo (unsigned when only the assertion is signed: compared with the signed one, never trusted alone). */
  readonly inResponseTo: string | null;
}

/** Decodes the POSTed SAMLResponse and refuses every shape a genuine IdP response never has. */
export function checkResponseShape(samlResponse: string, expected: { acsUrl: string; algorithm: SamlSignatureAlgorithm }): ResponseShape {
  if (samlResponse.length > (MAX_RESPONSE_BYTES * 4) / 3 + 4) throw new SamlRejected('malformed', 'response too large');
  const compact = samlResponse.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new SamlRejected('malformed', 'SAMLResponse is not base64');
  const xml = Buffer.from(compact, 'base64').toString('utf8');
  // No DTD at all: entity expansion (billion laughs) and external entities (XXE) need one.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SamlRejected('doctype', 'a DTD is never part of a SAML response');
  const doc = parse(xml);
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== PROTOCOL_NS || root.localName !== 'Response') throw new SamlRejected('not_a_response', 'the document is not a samlp:Response');

  const encrypted = doc.getElementsByTagNameNS(ASSERTION_NS, 'EncryptedAssertion');
  if (encrypted.length > 0) throw new SamlRejected('encrypted_assertion', 'encrypted assertions are not configured');
  // Counted anywhere in the document, not only as children of the root: an
  // assertion hidden in Extensions, a ds:Object or a wrapping element is how
  // XSW variants smuggle a second one past a verifier that looks in one place.
  const assertions = doc.getElementsByTagNameNS(ASSERTION_NS, 'Assertion');
  if (assertions.length !== 1) throw new SamlRejected('assertion_count', `expected exactly one assertion, found ${assertions.length}`);
  const assertion = assertions.item(0) as Element;
  if (assertion.parentNode !== root) throw new SamlRejected('assertion_count', 'the assertion is not a child of the response');

  if (root.getAttribute('Destination') !== expected.acsUrl) throw new SamlRejected('destination', 'Destination is not this ACS URL');
  // The signature covers the comment-free canonical form, so a comment
  // splits a NameID (`admin@x.test<!---->.evil.test`) without breaking it;
  // IdPs never send comments or processing instructions in an assertion.
  if (containsCommentOrInstruction(assertion)) throw new SamlRejected('comment_or_instruction', 'comment or processing instruction inside the assertion');

  const allowed = ALGORITHMS[expected.algorithm];
  for (const method of Array.from(doc.getElementsByTagNameNS(DSIG_NS, 'SignatureMethod'))) {
    if (!allowed.signature.includes(method.getAttribute('Algorithm') ?? '')) throw new SamlRejected('weak_algorithm', `signature algorithm ${method.getAttribute('Algorithm')}`);
  }
  for (const method of Array.from(doc.getElementsByTagNameNS(DSIG_NS, 'DigestMethod'))) {
    if (!allowed.digest.includes(method.getAttribute('Algorithm') ?? '')) throw new SamlRejected('weak_algorithm', `digest algorithm ${method.getAttribute('Algorithm')}`);
  }
  const inResponseTo = root.getAttribute('InResponseTo');
  return { xml, inResponseTo: inResponseTo === null || inResponseTo === '' ? null : inResponseTo };
}

function parse(xml: string): Document {
  try {
    return new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
  } catch {
    throw new SamlRejected('malformed', 'the response is not well-formed XML');
  }
}

/** Iterative: a hostile document nested tens of thousands deep must not overflow the stack. */
function containsCommentOrInstruction(root: Node): boolean {
  const pending: Node[] = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 7 || child.nodeType === 8) return true;
      if (child.nodeType === 1) pending.push(child);
    }
  }
  return false;
}
