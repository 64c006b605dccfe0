/** Keeps a server command running until Ctrl-C / SIGTERM, then closes it cleanly. */
export function closeOnSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void close().finally(resolve);
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
