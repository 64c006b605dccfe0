/**
 * A request's route as a bounded label for logs and metrics: the endpoint
 * pattern (`/admin/users/:id/disable`), never the raw path, whose ids
 * would give Prometheus one series per user. Anything else is `other`.
 */
const ROUTES: Array<[RegExp, string]> = [
  [/^\/\.well-known\/oauth-authorization-server(\/.*)?$/, '/.well-known/oauth-authorization-server'],
  [/^\/\.well-known\/openid-configuration(\/.*)?$/, '/.well-known/openid-configuration'],
  [/^\/\.well-known\/oauth-protected-resource(\/.*)?$/, '/.well-known/oauth-protected-resource'],
  [/^\/(token|introspect|revoke|authorize|register|jwks\.json|login|logout|signup|healthz|readyz|metrics)$/, ''],
  [/^\/register\/[^/]+$/, '/register/:clientId'],
  [/^\/revocations\/stream$/, '/revocations/stream'],
  [/^\/interaction\/[^/]+$/, '/interaction/:id'],
  [/^\/account\/grants$/, '/account/grants'],
  [/^\/account\/grants\/[^/]+\/revoke$/, '/account/grants/:id/revoke'],
  [/^\/account\/orgs\/[^/]+\/grants$/, '/account/orgs/:org/grants'],
  [/^\/account\/orgs\/[^/]+\/grants\/[^/]+\/revoke$/, '/account/orgs/:org/grants/:id/revoke'],
  [/^\/account\/orgs\/[^/]+\/members\/[^/]+\/revoke-tokens$/, '/account/orgs/:org/members/:user/revoke-tokens'],
  [/^\/admin\/(users|clients|grants)\/[^/]+\/(disable|revoke|revoke-tokens)$/, ''],
  [/^\/admin\/orgs\/[^/]+\/members\/[^/]+(\/roles)?$/, '/admin/orgs/:org/members/:user'],
  [/^\/admin\/orgs\/[^/]+\/scim-token(\/rotate)?$/, '/admin/orgs/:org/scim-token'],
  [/^\/scim\/v2\/[^/]+\/Users$/, '/scim/v2/:org/Users'],
  [/^\/scim\/v2\/[^/]+\/Users\/[^/]+$/, '/scim/v2/:org/Users/:id'],
  [/^\/scim\/v2\/[^/]+\/Groups$/, '/scim/v2/:org/Groups'],
  [/^\/scim\/v2\/[^/]+\/Groups\/[^/]+$/, '/scim/v2/:org/Groups/:id'],
  [/^\/scim\/v2\/[^/]+\/(ServiceProviderConfig|ResourceTypes|Schemas)(\/.*)?$/, '/scim/v2/:org/discovery'],
];

export function routeOf(pathname: string, issuerPath = ''): string {
  const path = issuerPath && pathname.startsWith(`${issuerPath}/`) ? pathname.slice(issuerPath.length) : pathname;
  for (const [pattern, label] of ROUTES) {
    if (!pattern.test(path)) continue;
    if (label) return label;
    // Fixed endpoints are their own label; admin actions keep their verb but lose the id.
    return path.replace(/^\/admin\/(users|clients|grants)\/[^/]+\//, '/admin/$1/:id/');
  }
  return 'other';
}

/**
 * The path of an absolute request URL without parsing it (`new URL` costs a few
 * microseconds on every request, and the access log only needs the path to label it).
 */
export function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  if (start < 0) return '/';
  const query = url.indexOf('?', start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}
