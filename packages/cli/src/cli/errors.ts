/** A mistake the person at the terminal can fix: printed as one line, exit code 1, no stack. */
export class CliError extends Error {
  override name = 'CliError';
}

export const fail = (message: string): never => {
  throw new CliError(message);
};
