/**
 * Per-call human approvals (issue 15 item 4). An approval moves
 * pending → approved | denied (once, by a person, before it expires) and
 * approved → consumed (once, by the resource server, for exactly the call
 * it is bound to). Both moves are single conditional updates: two racing
 * deciders or consumers cannot both win.
 */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'consumed';

export interface Approval {
  id: string;
  /** The grant the requesting token belongs to (null for a token without one). */
  grantId: string | null;
  /** The token's `sub`: a user id, or `client:<id>` for a service agent. */
  subject: string;
  /** The user behind the token; null for a service agent. */
  userId: string | null;
  orgId: string | null;
  clientId: string;
  resource: string;
  tool: string;
  /** The arguments as the resource server sent them, shown to the approver. */
  arguments: Record<string, unknown>;
  /** SHA-256 (hex) of the canonical JSON of the arguments: what the approval is bound to. */
  argumentsSha256: string;
  /** Roles (in the approval's org) whose holders may decide besides the subject. */
  approverRoles: string[];
  /** Whether the person the token acts for may decide it themself (false: four eyes). */
  selfApproval: boolean;
  status: ApprovalStatus;
  /** User id of the person who decided. */
  decidedBy: string | null;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  consumedAt: number | null;
}

/** What a consumption must match: the call being run now. */
export interface ApprovalBinding {
  grantId: string | null;
  subject: string;
  clientId: string;
  resource: string;
  tool: string;
  argumentsSha256: string;
}

export type ConsumeOutcome = { consumed: true; approval: Approval } | { consumed: false; reason: 'unknown' | 'not_approved' | 'denied' | 'already_consumed' | 'expired' | 'mismatch' };

export interface ApprovalStore {
  create(approval: Approval): Promise<void>;
  get(id: string): Promise<Approval | undefined>;
  /** pending → approved/denied when unexpired; false when it was not pending (or expired). */
  decide(id: string, decision: 'approved' | 'denied', decidedBy: string, now: number): Promise<boolean>;
  /**
   * approved → consumed, atomically, when unexpired and bound to `binding`.
   * With `id` undefined, the oldest approved approval matching the binding
   * (a client that could not echo the request state). The reason of a
   * refusal is for the resource server and the audit log only.
   */
  consume(id: string | undefined, binding: ApprovalBinding, now: number): Promise<ConsumeOutcome>;
  /** Removes approvals that expired before `before`; returns how many. */
  purgeExpired(before: number): Promise<number>;
}
