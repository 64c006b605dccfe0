/**
 * Keeps a server command running until Ctrl-C / SIGTERM, then closes it
 * gracefully (server/start.ts drains requests in flight). A repeated
 * SIGTERM during the drain is ignored (supervisors and wrappers such as
 * tsx may deliver one twice); a second Ctrl-C stops at once.
 */
export function closeOnSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
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
}

/** Turns "address in use" into a reason a person can act on. */
export function listenError(error: unknown, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new Error(`port ${port} is already in use (choose another with --port)`);
  if (code === 'EACCES') return new Error(`not allowed to listen on port ${port}`);
  return error as Error;
}
