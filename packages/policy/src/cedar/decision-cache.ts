/**
 * Cedar's answers by the exact call Cedar was handed: the prepared set's id
 * and the narrowed request (narrow-request.ts), serialized; the key is the
 * very JSON text cedar-wasm's glue makes of the call for Cedar. Cedar's
 * evaluation is a pure function of those (no clock, no randomness, no
 * lookups: the request carries every value), and a prepared set never
 * changes, so the same call always gets the same answer and a stored one
 * is exactly what Cedar would say again. A call differing in any value
 * Cedar sees has another key and is decided anew.
 *
 * Why: in a server, Cedar's Wasm evaluation costs several times what it
 * costs in a tight loop (its code and memory are cold between requests),
 * while the same caller calling the same tool within the same hour hands
 * it the same narrowed call again and again.
 *
 * Bounded: at most `size` answers, least recently used dropped first, and
 * no call whose serialized form is longer than MAX_KEY_LENGTH (a long stated
 * reason) is kept. The keys hold what the policies read of a call (e.g. a
 * stated reason or an address) in this process's memory only, as long as
 * the answer stays in the cache.
 */

/** Calls longer than this (characters of JSON) are decided by Cedar every time. */
export const MAX_KEY_LENGTH = 4096;

/** Default number of answers kept per engine. */
export const DEFAULT_DECISION_CACHE_SIZE = 2048;

export class DecisionCache<Answer> {
  private readonly answers = new Map<string, Answer>();
  hits = 0;
  misses = 0;

  constructor(readonly size: number = DEFAULT_DECISION_CACHE_SIZE) {}

  get entries(): number {
    return this.answers.size;
  }

  /** The stored answer for this call, made most recently used; undefined when Cedar must decide. */
  get(key: string): Answer | undefined {
    const answer = this.answers.get(key);
    if (answer === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.answers.delete(key);
    this.answers.set(key, answer);
    return answer;
  }

  set(key: string, answer: Answer): void {
    if (this.size <= 0 || key.length > MAX_KEY_LENGTH) return;
    if (this.answers.size >= this.size) {
      const oldest = this.answers.keys().next();
      if (!oldest.done) this.answers.delete(oldest.value);
    }
    this.answers.set(key, answer);
  }
}
