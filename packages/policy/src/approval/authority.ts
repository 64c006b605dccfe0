/**
 * The authorization server's side of approvals, as the resource server
 * calls it (docs/approvals.md): open a pending approval for this token's
 * call, and consume it when the call is retried. Authenticated as the
 * resource server's confidential client (client_secret_basic), the same
 * client that introspects: only a client registered with
 * `resource_server_for` is let in.
 */
export interface OpenedApproval {
  approvalId: string;
  url: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface OpenApprovalInput {
  token: string;
  tool: string;
  arguments: Record<string, unknown>;
  argumentsSha256: string;
  approverRoles: string[];
  /** False: four eyes, the person the token acts for cannot approve their own call. */
  selfApproval: boolean;
  ttlSeconds: number;
}

export interface ConsumeApprovalInput {
  token: string;
  /** Undefined: any approved approval bound to this call (a client that could not echo the state). */
  approvalId: string | undefined;
  tool: string;
  argumentsSha256: string;
}

export type ConsumeResult = { consumed: true; approvalId: string } | { consumed: false; reason: string };

export interface ApprovalAuthority {
  open(input: OpenApprovalInput): Promise<OpenedApproval>;
  consume(input: ConsumeApprovalInput): Promise<ConsumeResult>;
}

export interface GatehouseApprovalsOptions {
  /** The authorization server's issuer (its endpoints live under it). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export class ApprovalAuthorityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalAuthorityError';
  }
}

/** Gatehouse's POST /approvals and POST /approvals/consume. */
export function gatehouseApprovals(options: GatehouseApprovalsOptions): ApprovalAuthority {
  const issuer = options.issuer.replace(/\/$/, '');
  const doFetch = options.fetch ?? fetch;
  const authorization = basic(options.clientId, options.clientSecret);
  const post = async (path: string, form: Record<string, string>): Promise<Record<string, unknown>> => {
    const response = await doFetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) throw new ApprovalAuthorityError(`the authorization server refused ${path}: ${response.status} ${String(body.error ?? '')}`);
    return body;
  };
  return {
    async open(input) {
      const body = await post('/approvals', {
        token: input.token,
        tool: input.tool,
        arguments: JSON.stringify(input.arguments),
        arguments_sha256: input.argumentsSha256,
        approver_roles: input.approverRoles.join(' '),
        self_approval: String(input.selfApproval),
        ttl: String(input.ttlSeconds),
      });
      if (typeof body.approval_id !== 'string' || typeof body.approval_url !== 'string' || typeof body.expires_at !== 'number')
        throw new ApprovalAuthorityError('malformed answer from POST /approvals');
      return { approvalId: body.approval_id, url: body.approval_url, expiresAt: body.expires_at * 1000 };
    },
    async consume(input) {
      const body = await post('/approvals/consume', {
        token: input.token,
        ...(input.approvalId ? { approval_id: input.approvalId } : {}),
        tool: input.tool,
        arguments_sha256: input.argumentsSha256,
      });
      if (body.consumed === true && typeof body.approval_id === 'string') return { consumed: true, approvalId: body.approval_id };
      return { consumed: false, reason: typeof body.reason === 'string' ? body.reason : 'unknown' };
    },
  };
}
