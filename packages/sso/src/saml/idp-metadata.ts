/**
 * Importing an identity provider's metadata (a file an admin downloaded, or
 * its URL): the entity id, the HTTP-Redirect SSO URL and the signing
 * certificates are all Gatehouse needs. The document is trusted as the
 * operator's configuration, like a pasted certificate; it is read with a
 * DOM parser and no DTD.
 */
import { DOMParser, type Element } from '@xmldom/xmldom';
import type { SamlIdentityProviderTrust } from './settings.ts';

const MD_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const MAX_METADATA_BYTES = 1024 * 1024;

export class IdpMetadataError extends Error {
  constructor(message: string) {
    super(`IdP metadata: ${message}`);
    this.name = 'IdpMetadataError';
  }
}

/** Reads entity id, redirect-binding SSO URL and signing certificates (PEM) from an EntityDescriptor. */
export function parseIdpMetadata(xml: string): SamlIdentityProviderTrust {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new IdpMetadataError('a DTD is not accepted');
  let root: Element | null;
  try {
    root = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml').documentElement;
  } catch (error) {
    throw new IdpMetadataError(`not well-formed XML (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!root || root.namespaceURI !== MD_NS) throw new IdpMetadataError('no md:EntityDescriptor');
  const descriptor = root.localName === 'EntityDescriptor' ? root : root.getElementsByTagNameNS(MD_NS, 'EntityDescriptor').item(0);
  if (!descriptor) throw new IdpMetadataError('no md:EntityDescriptor');
  const entityId = descriptor.getAttribute('entityID');
  if (!entityId) throw new IdpMetadataError('the EntityDescriptor has no entityID');
  const idp = descriptor.getElementsByTagNameNS(MD_NS, 'IDPSSODescriptor').item(0);
  if (!idp) throw new IdpMetadataError('no IDPSSODescriptor');
  const sso = Array.from(idp.getElementsByTagNameNS(MD_NS, 'SingleSignOnService')).find((s) => s.getAttribute('Binding') === REDIRECT_BINDING);
  const ssoUrl = sso?.getAttribute('Location');
  if (!ssoUrl) throw new IdpMetadataError('no SingleSignOnService with the HTTP-Redirect binding');
  const certificates: string[] = [];
  for (const key of Array.from(idp.getElementsByTagNameNS(MD_NS, 'KeyDescriptor'))) {
    const use = key.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const cert of Array.from(key.getElementsByTagNameNS(DSIG_NS, 'X509Certificate'))) {
      const body = (cert.textContent ?? '').replace(/\s+/g, '');
      if (body) certificates.push(toPem(body));
    }
  }
  if (certificates.length === 0) throw new IdpMetadataError('no signing certificate');
  return { entityId, ssoUrl, certificates: [...new Set(certificates)] };
}

/** A certificate as PEM, whether given as PEM or as the bare base64 IdP consoles show. */
export function toPem(certificate: string): string {
  const body = certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
}

export type IdpMetadataSource = { readonly file: string } | { readonly url: string };

/** Reads metadata from a file or fetches it over HTTPS (http only for loopback, as in tests). */
export async function loadIdpMetadata(
  source: IdpMetadataSource,
  io: { readFile: (path: string) => Promise<string>; fetch?: typeof fetch } = { readFile: defaultReadFile },
): Promise<SamlIdentityProviderTrust> {
  if ('file' in source) return parseIdpMetadata(await io.readFile(source.file));
  const url = new URL(source.url);
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new IdpMetadataError('a metadata URL must be https');
  const response = await (io.fetch ?? fetch)(url, { redirect: 'error', signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new IdpMetadataError(`${url} answered ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_METADATA_BYTES) throw new IdpMetadataError('document too large');
  return parseIdpMetadata(text);
}

async function defaultReadFile(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path, 'utf8');
}
