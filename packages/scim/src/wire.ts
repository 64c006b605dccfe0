/**
 * SCIM on the wire (RFC 7644 §3.1, §3.12): every answer is
 * `application/scim+json`; every error is the SCIM Error message with its
 * status as a string and, where the RFC names one, a `scimType`.
 */
export const SCIM_CONTENT_TYPE = 'application/scim+json';

export const URN = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** RFC 7644 §3.12 Table 9. */
export type ScimType = 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive';

/** A refusal that becomes a SCIM Error response; thrown by any step, answered by the app. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly scimType?: ScimType,
  ) {
    super(detail);
    this.name = 'ScimError';
  }
}

export function scimJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': SCIM_CONTENT_TYPE, 'cache-control': 'no-store', ...headers },
  });
}

export function scimErrorResponse(error: ScimError, headers: Record<string, string> = {}): Response {
  const body: Record<string, unknown> = { schemas: [URN.error], status: String(error.status), detail: error.detail };
  if (error.scimType !== undefined) body.scimType = error.scimType;
  return scimJson(body, error.status, headers);
}

/** Weak ETag of a resource version (RFC 7644 §3.14: `meta.version` and the ETag header carry the same value). */
export const etagOf = (version: number): string => `W/"${version}"`;

/**
 * RFC 7644 §3.14 / RFC 7232 §3.1: an `If-Match` that names no current
 * version of the resource refuses the write with 412. `*` matches any
 * existing resource; weak and strong forms of our tag both match.
 */
export function checkIfMatch(header: string | undefined, version: number): void {
  if (header === undefined) return;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return;
  const current = etagOf(version);
  if (tags.some((tag) => tag === current || tag === current.slice(2))) return;
  throw new ScimError(412, 'The resource changed since the version named in If-Match.');
}

/** Reads a JSON body; a body that is not a JSON object is `invalidSyntax`. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await request.text());
  } catch {
    throw new ScimError(400, 'The body is not valid JSON.', 'invalidSyntax');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ScimError(400, 'The body must be a JSON object.', 'invalidSyntax');
  return parsed as Record<string, unknown>;
}
