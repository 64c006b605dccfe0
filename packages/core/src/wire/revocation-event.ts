/**
 * The wire format of the authorization server's `GET {issuer}/revocations/stream`
 * (`event: revocation`, one JSON object per event) that the resource-server SDK
 * subscribes to: only what a cache needs to drop entries (token hashes, user,
 * org, client, role) and the time. Defined here once: the AS writes it, the SDK
 * reads it.
 */
export interface RevocationEvent {
  /** The GatehouseEvent type that took access away, e.g. `token.revoked`, `user.disabled`. */
  type: string;
  tokenHashes?: string[];
  userId?: string;
  orgId?: string;
  clientId?: string;
  role?: string;
  /** Epoch milliseconds. */
  at: number;
}
