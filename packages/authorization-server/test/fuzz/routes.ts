/**
 * Every route of the authorization server, with what a real request to it
 * carries and the format its errors must come in. The fuzz suite compares
 * this table with the app's registered routes (`app.routes`): a new endpoint
 * without an entry here fails the suite until someone says how to fuzz it.
 */
export type ErrorFormat =
  /** OAuth error JSON (RFC 6749 §5.2): application/json with a string `error`. */
  | 'oauth'
  /** A page for a person: text/html (or a redirect). */
  | 'html'
  /** An event stream once authenticated; OAuth error JSON otherwise. */
  | 'sse';

export interface RouteEntry {
  params: readonly string[];
  body: 'form' | 'json' | 'none';
  format: ErrorFormat;
}

const TOKEN = ['grant_type', 'code', 'code_verifier', 'redirect_uri', 'resource', 'scope', 'client_id', 'client_secret', 'refresh_token'];
const AUTHORIZE = ['response_type', 'client_id', 'redirect_uri', 'code_challenge', 'code_challenge_method', 'resource', 'scope', 'state', 'prompt', 'response_mode', 'nonce'];
const REGISTER = [
  'redirect_uris',
  'client_name',
  'token_endpoint_auth_method',
  'grant_types',
  'response_types',
  'scope',
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'application_type',
  'contacts',
  'software_id',
  'jwks_uri',
];

/** Keyed `METHOD /path` exactly as Hono lists them. */
export const ROUTES: Readonly<Record<string, RouteEntry>> = {
  'GET /.well-known/oauth-authorization-server': { params: [], body: 'none', format: 'oauth' },
  'GET /.well-known/openid-configuration': { params: [], body: 'none', format: 'oauth' },
  'POST /register': { params: REGISTER, body: 'json', format: 'oauth' },
  'GET /register/:clientId': { params: [], body: 'none', format: 'oauth' },
  'GET /jwks.json': { params: [], body: 'none', format: 'oauth' },
  'GET /sso/:org/:provider/start': { params: ['interaction'], body: 'none', format: 'html' },
  'GET /sso/:org/:provider/callback': { params: ['code', 'state', 'iss', 'error'], body: 'none', format: 'html' },
  'GET /setup/:token': { params: ['saved'], body: 'none', format: 'html' },
  'POST /setup/:token/identity-providers': { params: ['csrf', 'id', 'name', 'issuer', 'client_id', 'client_secret', 'groups_claim', 'email_verified_claim'], body: 'form', format: 'html' },
  'POST /setup/:token/identity-providers/:id/remove': { params: ['csrf'], body: 'form', format: 'html' },
  'POST /setup/:token/scim-token': { params: ['csrf'], body: 'form', format: 'html' },
  'GET /admin/orgs/:org/identity-providers': { params: [], body: 'none', format: 'oauth' },
  'PUT /admin/orgs/:org/identity-providers/:id': { params: ['type', 'issuer', 'client_id', 'client_secret', 'scopes', 'claims', 'name', 'userinfo'], body: 'json', format: 'oauth' },
  'DELETE /admin/orgs/:org/identity-providers/:id': { params: [], body: 'none', format: 'oauth' },
  'POST /admin/orgs/:org/setup-links': { params: ['expires_in_seconds'], body: 'json', format: 'oauth' },
  'POST /admin/orgs/:org/setup-links/revoke': { params: [], body: 'none', format: 'oauth' },
  'POST /account/orgs/:org/setup-links': { params: ['expires_in_seconds'], body: 'json', format: 'oauth' },
  'GET /admin/orgs/:org/domains': { params: [], body: 'none', format: 'oauth' },
  'POST /admin/orgs/:org/domains': { params: ['name'], body: 'json', format: 'oauth' },
  'POST /admin/orgs/:org/domains/:name/verify': { params: [], body: 'none', format: 'oauth' },
  'DELETE /admin/orgs/:org/domains/:name': { params: [], body: 'none', format: 'oauth' },
  'POST /token': { params: TOKEN, body: 'form', format: 'oauth' },
  'POST /introspect': { params: ['token', 'token_type_hint', 'client_id', 'client_secret'], body: 'form', format: 'oauth' },
  'POST /revoke': { params: ['token', 'token_type_hint', 'client_id', 'client_secret'], body: 'form', format: 'oauth' },
  'GET /revocations/stream': { params: [], body: 'none', format: 'sse' },
  'POST /admin/grants/:id/revoke': { params: [], body: 'none', format: 'oauth' },
  'POST /admin/users/:id/revoke-tokens': { params: [], body: 'none', format: 'oauth' },
  'POST /admin/users/:id/disable': { params: [], body: 'none', format: 'oauth' },
  'POST /admin/clients/:id/disable': { params: [], body: 'none', format: 'oauth' },
  'DELETE /admin/orgs/:org/members/:user': { params: [], body: 'none', format: 'oauth' },
  'PUT /admin/orgs/:org/members/:user/roles': { params: ['roles'], body: 'json', format: 'oauth' },
  'POST /admin/clients/:id/rotate-secret': { params: ['overlap_seconds', 'expires_in_seconds'], body: 'json', format: 'oauth' },
  'GET /admin/orgs/:org/clients': { params: [], body: 'none', format: 'oauth' },
  'PUT /admin/orgs/:org/clients/:action{mode}': { params: ['mode'], body: 'json', format: 'oauth' },
  'POST /admin/orgs/:org/clients/:action{allow|approve|block|remove}': { params: ['client_id', 'host'], body: 'json', format: 'oauth' },
  'GET /account/grants': { params: [], body: 'none', format: 'oauth' },
  'POST /account/grants/:id/revoke': { params: ['csrf'], body: 'form', format: 'oauth' },
  'GET /account/orgs/:org/grants': { params: [], body: 'none', format: 'oauth' },
  'POST /account/orgs/:org/grants/:id/revoke': { params: ['csrf'], body: 'form', format: 'oauth' },
  'POST /account/orgs/:org/members/:user/revoke-tokens': { params: ['csrf'], body: 'form', format: 'oauth' },
  'GET /account/orgs/:org/clients': { params: [], body: 'none', format: 'oauth' },
  'PUT /account/orgs/:org/clients/:action{mode}': { params: ['mode'], body: 'json', format: 'oauth' },
  'POST /account/orgs/:org/clients/:action{allow|approve|block|remove}': { params: ['client_id', 'host'], body: 'json', format: 'oauth' },
  'GET /authorize': { params: AUTHORIZE, body: 'none', format: 'html' },
  'POST /authorize': { params: AUTHORIZE, body: 'form', format: 'html' },
  'GET /login': { params: ['interaction'], body: 'none', format: 'html' },
  'POST /login': { params: ['csrf', 'interaction', 'email', 'password'], body: 'form', format: 'html' },
  'GET /signup': { params: ['interaction'], body: 'none', format: 'html' },
  'POST /signup': { params: ['csrf', 'interaction', 'email', 'password', 'name'], body: 'form', format: 'html' },
  'POST /logout': { params: ['csrf'], body: 'form', format: 'html' },
  'GET /interaction/:id': { params: [], body: 'none', format: 'html' },
  'POST /interaction/:id': { params: ['csrf', 'action', 'org', 'scope'], body: 'form', format: 'html' },
  'POST /approvals': { params: ['token', 'tool', 'arguments', 'arguments_sha256', 'approver_roles', 'self_approval', 'ttl', 'client_id', 'client_secret'], body: 'form', format: 'oauth' },
  'POST /approvals/consume': { params: ['token', 'approval_id', 'tool', 'arguments_sha256', 'client_id', 'client_secret'], body: 'form', format: 'oauth' },
  'GET /approvals/:id': { params: [], body: 'none', format: 'html' },
  'POST /approvals/:id': { params: ['csrf', 'decision'], body: 'form', format: 'html' },
  'GET /sso/saml/:org/:provider/metadata': { params: [], body: 'none', format: 'html' },
  'GET /sso/saml/:org/:provider/login': { params: ['interaction'], body: 'none', format: 'html' },
  'POST /sso/saml/:org/:provider/acs': { params: ['SAMLResponse', 'RelayState'], body: 'form', format: 'html' },
  'GET /sso/saml/:org/:provider/complete': { params: ['ticket'], body: 'none', format: 'html' },
};

/** Hono lists middleware (`app.use`) beside routes, as method ALL; they are not endpoints. */
export const isMiddleware = (route: { method: string; path: string }): boolean => route.method === 'ALL' && route.path.endsWith('*');
