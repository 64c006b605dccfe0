/**
 * Checks on the signed assertion node-saml returns (its xml2js form, read
 * from the verified canonical XML only) that node-saml leaves to the caller:
 * the issuer, a bearer SubjectConfirmation whose Recipient is our ACS URL
 * and whose InResponseTo names a request, and the expiry the replay cache
 * keeps the assertion id for.
 */
import { SamlRejected } from './rejection.ts';

type XmlJs = Record<string, any>;

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

export interface SignedAssertionFacts {
  readonly id: string;
  /** The InResponseTo inside the signature: the only one trusted. */
  readonly inResponseTo: string;
  /** When the assertion stops being usable (the earliest NotOnOrAfter): the replay cache keeps its id until then. */
  readonly notOnOrAfter: number;
}

const text = (node: unknown): string | undefined => {
  const first = Array.isArray(node) ? node[0] : node;
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && typeof (first as XmlJs)['_'] === 'string') return (first as XmlJs)['_'] as string;
  return undefined;
};

const time = (value: unknown): number | undefined => {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
};

export function checkSignedAssertion(parsed: XmlJs, expected: { idpEntityId: string; acsUrl: string; responseInResponseTo: string | null; now: number; skewMs: number }): SignedAssertionFacts {
  const assertion = parsed['Assertion'] as XmlJs | undefined;
  if (!assertion) throw new SamlRejected('signature', 'no signed assertion');
  const id = assertion['$']?.['ID'];
  if (typeof id !== 'string' || id === '') throw new SamlRejected('signature', 'the assertion has no ID');
  if (text(assertion['Issuer']) !== expected.idpEntityId) throw new SamlRejected('issuer', 'the assertion was issued by another entity');

  const subject = (assertion['Subject'] as XmlJs[] | undefined)?.[0];
  const confirmations = ((subject?.['SubjectConfirmation'] as XmlJs[] | undefined) ?? []).filter((c) => c['$']?.['Method'] === BEARER);
  const data = confirmations.map((c) => (c['SubjectConfirmationData'] as XmlJs[] | undefined)?.[0]?.['$'] as Record<string, string> | undefined);
  const forUs = data.filter((d) => d?.['Recipient'] === expected.acsUrl);
  if (forUs.length === 0) throw new SamlRejected('recipient', 'no bearer confirmation names this ACS URL as Recipient');
  const live = forUs.filter((d) => {
    const end = time(d?.['NotOnOrAfter']);
    return end !== undefined && expected.now - expected.skewMs < end;
  });
  if (live.length === 0) throw new SamlRejected('audience_or_conditions', 'the subject confirmation expired or has no NotOnOrAfter');
  const confirmed = live.find((d) => typeof d?.['InResponseTo'] === 'string' && d['InResponseTo'] !== '');
  // IdP-initiated (unsolicited) responses carry no InResponseTo: refused, since nothing binds them to a browser.
  if (!confirmed) throw new SamlRejected('in_response_to', 'the assertion answers no request (unsolicited)');
  const inResponseTo = confirmed['InResponseTo'] as string;
  if (expected.responseInResponseTo !== null && expected.responseInResponseTo !== inResponseTo) {
    throw new SamlRejected('in_response_to', 'the Response and its assertion answer different requests');
  }
  const conditionsEnd = time((assertion['Conditions'] as XmlJs[] | undefined)?.[0]?.['$']?.['NotOnOrAfter']);
  const confirmationEnd = time(confirmed['NotOnOrAfter']) as number;
  return { id, inResponseTo, notOnOrAfter: conditionsEnd === undefined ? confirmationEnd : Math.min(conditionsEnd, confirmationEnd) };
}
