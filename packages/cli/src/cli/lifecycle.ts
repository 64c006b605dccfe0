/**
 * Keeps a server command running until Ctrl-C / SIGTERM, then closes it
 * gracefully (server/start.ts drains requests in flight). A repeated
 * SIGTERM during the drain is ignored (supervisors and wrappers such as
 * tsx may deliver one twice); a second Ctrl-C stops at once.
 *
 * The handlers are installed before `announce` runs: a supervisor (or a
 * test) that signals the moment it reads "listening" must get a graceful
 * stop. Announcing first left a window, after the write reached the pipe
 * and before the handlers existed, in which Node's default action killed
 * the process (seen under load: exit by SIGTERM, nothing drained or signed).
 */
export function runUntilSignal(announce: () => void, close: () => Promise<void>): Promise<void> {
  const stopped = new Promise<void>((resolve) => {
    let closing = false;
    const stop = (signal: NodeJS.Signals) => {
      if (closing) {
        if (signal === 'SIGINT') process.exit(130);
        return;
      }
      closing = true;
      void close().finally(() => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  announce();
  return stopped;
}

/** Turns "address in use" into a reason a person can act on. */
export function listenError(error: unknown, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new Error(`port ${port} is already in use (choose another with --port)`);
  if (code === 'EACCES') return new Error(`not allowed to listen on port ${port}`);
  return error as Error;
}
