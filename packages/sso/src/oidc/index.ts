export * from './settings.ts';
export { identityFromClaims, groupsClaim } from './claims.ts';
export { discoverRelyingParty, type OidcRelyingParty, type OidcPendingSignIn, type RelyingPartyOptions } from './relying-party.ts';
