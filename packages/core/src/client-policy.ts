/**
 * Which AI clients an organization lets reach its resources (issue 16,
 * item 2). Pure rules, no I/O: the store keeps the policy, the
 * authorization server asks `clientDecision` at /authorize, the token
 * endpoint and introspection.
 *
 *   - `open` (the default): any client, except those blocked;
 *   - `allowlist`: only clients allowed by id, or by the host of their
 *     metadata document URL (CIMD, e.g. `claude.ai`);
 *   - `approval`: as allowlist, but an unknown client asking is recorded as
 *     pending for an org admin to approve, instead of refused outright.
 * A block (by id or host) wins over everything.
 */
export type ClientPolicyMode = 'open' | 'allowlist' | 'approval';
export type ClientRuleKind = 'client' | 'host';
/** `pending`: asked under `approval`, not yet approved (approving turns it into `allow`). */
export type ClientRuleDecision = 'allow' | 'block' | 'pending';

export interface ClientRule {
  kind: ClientRuleKind;
  /** A client id, or a lower-case host name. */
  value: string;
  decision: ClientRuleDecision;
  updatedAt: number;
}

export interface OrgClientPolicy {
  orgId: string;
  mode: ClientPolicyMode;
  rules: ClientRule[];
}

export type ClientDecision = 'allowed' | 'blocked' | 'not_allowed' | 'pending';

export const openPolicy = (orgId: string): OrgClientPolicy => ({ orgId, mode: 'open', rules: [] });

/**
 * The host of a metadata-document client id (`https://claude.ai/…` →
 * `claude.ai`), or null for any other client id: a host rule never matches
 * a registered client, whose name and URIs it chose itself.
 */
export function clientHost(clientId: string): string | null {
  if (!clientId.startsWith('https://')) return null;
  try {
    return new URL(clientId).hostname.toLowerCase();
  } catch {
    return null;
  }
}

export function clientDecision(policy: OrgClientPolicy, clientId: string): ClientDecision {
  const host = clientHost(clientId);
  const matching = policy.rules.filter((rule) => (rule.kind === 'client' ? rule.value === clientId : host !== null && rule.value === host));
  if (matching.some((rule) => rule.decision === 'block')) return 'blocked';
  if (policy.mode === 'open' || matching.some((rule) => rule.decision === 'allow')) return 'allowed';
  return policy.mode === 'approval' ? 'pending' : 'not_allowed';
}

/** A host rule's canonical form: lower case, no scheme, port or path (`Claude.AI` → `claude.ai`). */
export function normalizeHost(input: string): string | null {
  const host = input.trim().toLowerCase();
  return /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/.test(host) ? host : null;
}
