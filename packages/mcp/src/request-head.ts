/**
 * What the guard reads of a request: its method, URL and headers. A web
 * Request is one; a server that skips building a Request for its hot path
 * (the gateway's node listener) passes its own, with the body already read
 * (`parsedBody` or `readBody`).
 */
export interface HeaderReader {
  /** As `Headers.get`: the values of every field of that (case-insensitive) name joined by ", ", or null. */
  get(name: string): string | null;
}

export interface RequestHead {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderReader;
}
