/**
 * OAuth errors as one typed class. The code decides the HTTP status; `detail`
 * is for logs and audit only and never goes on the wire (oidc-provider's
 * `error_detail`). `allowRedirect` is false for errors that must be shown on
 * a local page instead of being sent to a redirect_uri we could not verify.
 */
export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  access_denied: 403,
  server_error: 500,
  temporarily_unavailable: 503,
  invalid_token: 401,
  insufficient_scope: 403,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  invalid_client_id: 400,
  login_required: 400,
  consent_required: 400,
  interaction_required: 400,
  invalid_dpop_proof: 400,
  slow_down: 429,
  request_too_large: 413,
} as const;

export type OAuthErrorCode = keyof typeof OAUTH_ERROR_STATUS;

export interface OAuthErrorOptions {
  /** Overrides the code's default status (e.g. 429 for a rate limit). */
  status?: number;
  /** Internal reason: logged and audited, never sent to the client. */
  detail?: string;
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  headers?: Record<string, string>;
  /** False when the error must be rendered locally, never redirected. */
  allowRedirect?: boolean;
  cause?: unknown;
}

export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;
  readonly allowRedirect: boolean;

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.status = options.status ?? OAUTH_ERROR_STATUS[code];
    this.detail = options.detail;
    this.headers = options.headers ?? {};
    this.allowRedirect = options.allowRedirect ?? true;
  }

  /** The RFC 6749 §5.2 error body. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.message };
  }
}

export const isOAuthError = (value: unknown): value is OAuthError => value instanceof OAuthError;

/**
 * The store cannot reach its database right now (connection refused,
 * dropped or timed out; raised by the store, which knows the engine's
 * codes). The operation did not take place, or its outcome is unknown (a
 * COMMIT whose answer was lost); either way the caller may retry later. The
 * authorization server answers it with 503 temporarily_unavailable and
 * Retry-After instead of 500.
 */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }

  /** By name as well as by class: a second copy of this package (two installed versions) must still be recognised. */
  static is(error: unknown): error is StoreUnavailableError {
    return error instanceof StoreUnavailableError || (error instanceof Error && error.name === 'StoreUnavailableError');
  }
}
