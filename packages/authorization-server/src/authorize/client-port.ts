/**
 * The one place authorize and consent reach client resolution, which the
 * clients feature owns (src/clients): pre-registered, dynamic and CIMD
 * clients look the same from here. Unknown or disabled clients throw an
 * OAuthError with allowRedirect: false.
 */
import type { Client } from '@gatehouse-auth/core';
import { matchRedirectUri as matchAgainst } from '../clients/index.ts';

export { resolveClient } from '../clients/index.ts';

/** Exact match, with the RFC 8252 §7.3 loopback port exception, against the client's registered URIs. */
export const matchRedirectUri = (client: Client, uri: string): boolean => matchAgainst(client.redirectUris, uri);
