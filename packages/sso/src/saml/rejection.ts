/**
 * Why a SAML response was refused. The reason goes to the log and the
 * audit event; the browser only ever sees one generic page, so an attacker
 * probing the ACS learns nothing about which check failed.
 */
export type SamlRejectionReason =
  | 'malformed'
  | 'doctype'
  | 'not_a_response'
  | 'assertion_count'
  | 'encrypted_assertion'
  | 'destination'
  | 'comment_or_instruction'
  | 'weak_algorithm'
  | 'signature'
  | 'issuer'
  | 'audience_or_conditions'
  | 'recipient'
  | 'in_response_to'
  | 'unknown_request'
  | 'replayed'
  | 'no_subject'
  | 'idp_error';

export class SamlRejected extends Error {
  constructor(
    readonly reason: SamlRejectionReason,
    detail: string,
  ) {
    super(`SAML response refused (${reason}): ${detail}`);
    this.name = 'SamlRejected';
  }
}
