/** The SAML state port in memory, for service-provider tests that need no database (the store's own suite covers SQLite and PostgreSQL). */
import type { SamlStatePort } from '../../src/saml/state-port.ts';

export function memoryState(): SamlStatePort {
  const states = new Map<string, { payload: unknown; expiresAt: number }>();
  const assertions = new Map<string, number>();
  return {
    async putState(id, payload, expiresAt) {
      states.set(id, { payload: structuredClone(payload), expiresAt });
    },
    async takeState<T>(id: string, now: number) {
      const row = states.get(id);
      states.delete(id);
      return row && row.expiresAt > now ? (row.payload as T) : undefined;
    },
    async recordAssertion(key, expiresAt, now) {
      const live = assertions.get(key);
      if (live !== undefined && live > now) return false;
      assertions.set(key, expiresAt);
      return true;
    },
  };
}
