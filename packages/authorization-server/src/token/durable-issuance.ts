/**
 * How a token response waits for the disk: ONE durable commit, not two in
 * turn. The tokens are committed (the store's `…Committed` operations),
 * then the event is published, which writes the audit record and waits for
 * it to be durable; only then are the tokens' own `whenDurable()` asked
 * for. On a SQLite file the record's frames follow the token's in the one
 * WAL, and the sync that made the record durable started after both were
 * written, so the tokens are found durable already: one sync per response
 * (store/kysely/wal-sync.ts). Asking for the tokens' sync at commit time
 * started it before the record existed, and the record waited for the next
 * one (two syncs in turn: docs/tokens.md). Nothing reaches the client
 * before both the tokens and their audit record survive power loss.
 */
export async function afterDurable<T>(committed: { whenDurable: () => Promise<void> }, publish: () => Promise<T>): Promise<T> {
  try {
    return await publish();
  } finally {
    // Awaited even when publishing failed: the tokens' failure to reach the disk must not go unobserved.
    await committed.whenDurable();
  }
}
