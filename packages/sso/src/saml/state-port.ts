/**
 * What the service provider needs from storage (implemented by
 * @gatehouse-auth/store's `store.saml` on SQLite and PostgreSQL): state
 * shared by every process, so the response may reach another process than
 * the one that sent the request.
 */
export interface SamlStatePort {
  putState(id: string, payload: unknown, expiresAt: number): Promise<void>;
  /** Returns and deletes the state exactly once; undefined when unknown, taken or expired. */
  takeState<T = unknown>(id: string, now: number): Promise<T | undefined>;
  /** The replay cache: true the first time a key is seen before `expiresAt`, false for every replay. */
  recordAssertion(key: string, expiresAt: number, now: number): Promise<boolean>;
}

/** An AuthnRequest we sent and are waiting for the answer to. */
export interface OutstandingRequest {
  readonly org: string;
  readonly provider: string;
  /** The SHA-256 binding of the browser that started the sign-in: only that browser may finish it. */
  readonly browserHash: string;
  /** The pending authorization (`/authorize`) the sign-in continues, if any. */
  readonly interactionId: string | null;
}

export const requestStateKey = (requestId: string): string => `request:${requestId}`;
