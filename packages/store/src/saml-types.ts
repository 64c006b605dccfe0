/** SAML 2.0 service-provider state (packages/sso/src/saml): short-lived, shared by every process. */
export interface SamlStore {
  /** Parks one round trip's state under a random id until `expiresAt`. */
  putState(id: string, payload: unknown, expiresAt: number): Promise<void>;
  /**
   * Returns the state and deletes it, exactly once under any concurrency
   * (one DELETE … RETURNING); undefined when unknown, already taken or
   * expired.
   */
  takeState<T = unknown>(id: string, now: number): Promise<T | undefined>;
  /**
   * The replay cache: records an assertion key until `expiresAt` and
   * answers true, or answers false when the key is already recorded and
   * not yet expired (a replay). One atomic insert-or-fail on both engines:
   * of N concurrent callers with one key exactly one gets true.
   */
  recordAssertion(key: string, expiresAt: number, now: number): Promise<boolean>;
  /** Deletes expired states and assertion keys; returns how many rows went. */
  purgeExpired(now: number): Promise<number>;
}
