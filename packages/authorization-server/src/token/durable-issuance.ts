/**
 * How a token response waits for the disk: ONE durable commit, not two in
 * turn. The tokens are committed (the store's `…Committed` operations),
 * then the event is published, which writes the audit record and waits for
 * it to be durable; then the tokens' own `durable` is awaited. On a SQLite
 * file both are made durable by the same coalesced WAL fsync (the record's
 * frames follow the token's in the one WAL; store/kysely/wal-sync.ts), so
 * the second wait is normally already over. Nothing reaches the client
 * before both the tokens and their audit record survive power loss.
 */
export async function afterDurable<T>(committed: { durable: Promise<void> }, publish: () => Promise<T>): Promise<T> {
  try {
    return await publish();
  } finally {
    // Awaited even when publishing failed: the tokens' failure to reach the disk must not go unobserved.
    await committed.durable;
  }
}
