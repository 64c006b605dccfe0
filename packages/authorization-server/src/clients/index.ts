/** The clients feature: who a client is, how it proves it, where it may be sent. */
export { resolveClient } from './resolve.ts';
export { authenticateClient, type ClientAuthInput } from './authenticate.ts';
export { matchRedirectUri, validateRedirectUri, type RedirectUriCheck } from './redirect-uri.ts';
export { mountRegistration } from './registration/route.ts';
export { configureCimd, checkClientIdUrl, looksLikeUrlClientId, type HostResolver, type ResolvedAddress } from './cimd/index.ts';
