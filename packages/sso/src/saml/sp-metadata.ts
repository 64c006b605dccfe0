/**
 * The service provider's metadata document for one org and provider: what
 * an IdP administrator uploads (or points the IdP at) to set Gatehouse up.
 * It names the entity id, the ACS URL (HTTP-POST) and that assertions must
 * be signed. Built by node-saml.
 */
import { generateServiceProviderMetadata } from '@node-saml/node-saml';
import type { SpEndpoints } from './settings.ts';

export function serviceProviderMetadata(endpoints: SpEndpoints): string {
  return generateServiceProviderMetadata({
    issuer: endpoints.entityId,
    callbackUrl: endpoints.acsUrl,
    wantAssertionsSigned: true,
    identifierFormat: null,
  });
}
