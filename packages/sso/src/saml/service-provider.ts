/**
 * A SAML 2.0 service provider for one organization's identity provider, on
 * @node-saml/node-saml. Starting a sign-in records the AuthnRequest id
 * (bound to the browser and the pending authorization) in the shared store;
 * a response is accepted only when every check holds:
 *
 * - shape (response-shape.ts): one assertion, no DTD, no comments in the
 *   assertion, Destination = our ACS URL, SHA-256 or better;
 * - node-saml: the assertion's own signature by a configured certificate
 *   (wantAssertionsSigned: a signed response around an unsigned assertion
 *   is refused), audience = our entity id, NotBefore / NotOnOrAfter;
 * - assertion-checks.ts, on the signed XML only: Issuer, bearer Recipient =
 *   our ACS URL, the signed InResponseTo;
 * - the replay cache: the assertion id is recorded once until NotOnOrAfter;
 * - the request: the signed InResponseTo names a request this org's provider
 *   sent and nobody answered yet (taken once).
 */
import { randomBytes } from 'node:crypto';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { FederatedIdentity } from '../federated-identity.ts';
import { checkSignedAssertion } from './assertion-checks.ts';
import { identityFromProfile } from './identity.ts';
import { SamlRejected } from './rejection.ts';
import { checkResponseShape } from './response-shape.ts';
import { type SamlProviderSettings, spEndpoints, type SpEndpoints } from './settings.ts';
import { type OutstandingRequest, requestStateKey, type SamlStatePort } from './state-port.ts';

/** Time a person has at the IdP between our redirect and its answer. */
export const REQUEST_TTL_MS = 10 * 60 * 1000;

export interface SamlServiceProviderOptions {
  /** Gatehouse's issuer URL: the SP's URLs hang under it. */
  readonly issuer: string;
  readonly settings: SamlProviderSettings;
  readonly state: SamlStatePort;
  /** Wall-clock time; node-saml reads Date itself, so this must be real time outside tests of our own checks. */
  readonly now?: () => number;
}

export interface AcceptedResponse {
  readonly identity: FederatedIdentity;
  readonly request: OutstandingRequest;
}

export class SamlServiceProvider {
  readonly endpoints: SpEndpoints;
  readonly settings: SamlProviderSettings;
  readonly #state: SamlStatePort;
  readonly #now: () => number;

  constructor(options: SamlServiceProviderOptions) {
    this.settings = options.settings;
    this.endpoints = spEndpoints(options.issuer, options.settings.org, options.settings.provider);
    this.#state = options.state;
    this.#now = options.now ?? Date.now;
  }

  /** node-saml's SP for one operation; `requestId` fixes the id of the AuthnRequest it builds. */
  #saml(requestId?: string): SAML {
    const { settings, endpoints } = this;
    return new SAML({
      issuer: endpoints.entityId,
      callbackUrl: endpoints.acsUrl,
      entryPoint: settings.idp.ssoUrl,
      idpCert: [...settings.idp.certificates],
      idpIssuer: settings.idp.entityId,
      audience: endpoints.entityId,
      wantAssertionsSigned: true,
      // Okta, Entra ID and Google sign the assertion and not always the response; the assertion's signature is what counts.
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: settings.clockSkewMs,
      // InResponseTo is checked here against the shared store from the signed assertion (assertion-checks.ts), not in node-saml's process-local cache.
      validateInResponseTo: ValidateInResponseTo.never,
      identifierFormat: null,
      // Requesting PasswordProtectedTransport makes Entra ID refuse users who signed in with MFA or passkeys.
      disableRequestedAuthnContext: true,
      signatureAlgorithm: settings.signatureAlgorithm,
      ...(requestId ? { generateUniqueId: () => requestId } : {}),
    });
  }

  /** Records a new AuthnRequest for this browser and returns the IdP URL to redirect it to (HTTP-Redirect binding). */
  async startSignIn(binding: { browserHash: string; interactionId: string | null }): Promise<{ redirectUrl: string; requestId: string }> {
    // An NCName: SAML ids must not start with a digit.
    const requestId = `_${randomBytes(20).toString('hex')}`;
    const request: OutstandingRequest = { org: this.settings.org, provider: this.settings.provider, ...binding };
    await this.#state.putState(requestStateKey(requestId), request, this.#now() + REQUEST_TTL_MS);
    const redirectUrl = await this.#saml(requestId).getAuthorizeUrlAsync('', undefined, {});
    return { redirectUrl, requestId };
  }

  /** Validates a POSTed SAMLResponse; throws SamlRejected with the reason when any check fails. */
  async acceptResponse(samlResponse: string): Promise<AcceptedResponse> {
    const { settings, endpoints } = this;
    const shape = checkResponseShape(samlResponse, { acsUrl: endpoints.acsUrl, algorithm: settings.signatureAlgorithm });
    let profile: Record<string, unknown>;
    try {
      const result = await this.#saml().validatePostResponseAsync({ SAMLResponse: Buffer.from(shape.xml, 'utf8').toString('base64') });
      if (!result.profile) throw new Error('no profile');
      profile = result.profile as unknown as Record<string, unknown>;
    } catch (error) {
      throw new SamlRejected(classify(error), error instanceof Error ? error.message : String(error));
    }
    const parsed = (profile['getAssertion'] as () => Record<string, any>)();
    const now = this.#now();
    const facts = checkSignedAssertion(parsed, {
      idpEntityId: settings.idp.entityId,
      acsUrl: endpoints.acsUrl,
      responseInResponseTo: shape.inResponseTo,
      now,
      skewMs: settings.clockSkewMs,
    });
    const fresh = await this.#state.recordAssertion(`${settings.idp.entityId} ${facts.id}`, facts.notOnOrAfter + settings.clockSkewMs, now);
    if (!fresh) throw new SamlRejected('replayed', 'this assertion was presented before');
    const request = await this.#state.takeState<OutstandingRequest>(requestStateKey(facts.inResponseTo), now);
    if (!request) throw new SamlRejected('unknown_request', 'InResponseTo names no outstanding request');
    if (request.org !== settings.org || request.provider !== settings.provider) throw new SamlRejected('unknown_request', 'the request was sent by another provider');
    return { identity: identityFromProfile(settings, profile), request };
  }
}

function classify(error: unknown): 'signature' | 'audience_or_conditions' | 'idp_error' | 'issuer' {
  const message = error instanceof Error ? error.message : '';
  if (/audience|expired|not yet valid|subject confirmation|conditions|NotOnOrAfter|NotBefore/i.test(message)) return 'audience_or_conditions';
  if (/SAML provider returned/i.test(message)) return 'idp_error';
  if (/issuer/i.test(message)) return 'issuer';
  return 'signature';
}
