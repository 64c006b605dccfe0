/**
 * SCIM 2.0 for each organization at `/scim/v2/<org slug>/…` (RFC 7644).
 * Every request carries the org's bearer token (token.ts); a missing,
 * wrong or other org's token gets the same 401, so the answer says nothing
 * about which orgs exist. Mount with `app.route('/scim/v2', createScimApp(…))`.
 */
import { Hono, type Context } from 'hono';
import type { Organization } from '@gatehouse-auth/core';
import type { DirectoryDeps } from './access.ts';
import { resourceTypes, schemas, serviceProviderConfig } from './discovery.ts';
import { parsePage } from './filter.ts';
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from './groups.ts';
import { orgOfScimToken } from './token.ts';
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser, type ScimScope } from './users.ts';
import { readJsonObject, ScimError, scimErrorResponse, scimJson, URN } from './wire.ts';

export interface ScimAppOptions extends DirectoryDeps {
  /** Public origin (and path) the app is served under, without `/scim/v2`: the issuer. Used in `meta.location`. */
  baseUrl: string;
  /** Unexpected failures (never a token or a request body). */
  log?: (level: 'error', message: string, fields?: Record<string, unknown>) => void;
}

type Env = { Variables: { scim: ScimScope } };

const BEARER = /^Bearer ([\x21-\x7E]+)$/i;
const unauthorized = (): Response => scimErrorResponse(new ScimError(401, 'A valid SCIM token for this organization is required.'), { 'www-authenticate': 'Bearer realm="scim"' });

export function createScimApp(options: ScimAppOptions): Hono<Env> {
  const app = new Hono<Env>();
  const base = options.baseUrl.replace(/\/$/, '');

  /** Runs a step, answering a ScimError (or anything unexpected) as a SCIM Error message. */
  const handle =
    (step: (c: Context<Env>, scope: ScimScope) => Promise<Response> | Response) =>
    async (c: Context<Env>): Promise<Response> => {
      try {
        return await step(c, c.get('scim'));
      } catch (error) {
        if (error instanceof ScimError) return scimErrorResponse(error);
        options.log?.('error', 'scim request failed', { error: error instanceof Error ? error.message : String(error) });
        return scimErrorResponse(new ScimError(500, 'The request could not be completed.'));
      }
    };

  app.use('/:org/*', async (c, next) => {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    const orgId = match ? await orgOfScimToken(options.store, match[1]!) : undefined;
    const org: Organization | undefined = orgId === undefined ? undefined : await options.store.orgs.getBySlug(c.req.param('org') ?? '');
    if (!org || org.id !== orgId) return unauthorized();
    const root = `${base}/scim/v2/${org.slug}`;
    c.set('scim', { deps: options, org, at: { users: `${root}/Users`, groups: `${root}/Groups` } });
    await next();
  });

  const root = (scope: ScimScope) => scope.at.users.slice(0, -'/Users'.length);
  const query = (c: Context<Env>) => c.req.query();
  const page = (c: Context<Env>) => parsePage(c.req.query('startIndex'), c.req.query('count'));
  const body = (c: Context<Env>) => readJsonObject(c.req.raw);
  const ifMatch = (c: Context<Env>) => c.req.header('if-match');
  const id = (c: Context<Env>) => c.req.param('id') ?? '';

  app.get(
    '/:org/ServiceProviderConfig',
    handle((_c, s) => scimJson(serviceProviderConfig(root(s)))),
  );
  app.get(
    '/:org/ResourceTypes',
    handle((_c, s) => scimJson(list(resourceTypes(root(s))))),
  );
  app.get(
    '/:org/ResourceTypes/:id',
    handle((c, s) => scimJson(one(resourceTypes(root(s)), id(c), 'resource type'))),
  );
  app.get(
    '/:org/Schemas',
    handle((_c, s) => scimJson(list(schemas(root(s))))),
  );
  app.get(
    '/:org/Schemas/:id',
    handle((c, s) => scimJson(one(schemas(root(s)), id(c), 'schema'))),
  );

  app.get(
    '/:org/Users',
    handle((c, s) => listUsers(s, query(c), page(c))),
  );
  app.post(
    '/:org/Users',
    handle(async (c, s) => createUser(s, await body(c))),
  );
  app.get(
    '/:org/Users/:id',
    handle((c, s) => getUser(s, id(c), query(c))),
  );
  app.put(
    '/:org/Users/:id',
    handle(async (c, s) => replaceUser(s, id(c), await body(c), ifMatch(c))),
  );
  app.patch(
    '/:org/Users/:id',
    handle(async (c, s) => patchUser(s, id(c), await body(c), ifMatch(c))),
  );
  app.delete(
    '/:org/Users/:id',
    handle((c, s) => deleteUser(s, id(c), ifMatch(c))),
  );

  app.get(
    '/:org/Groups',
    handle((c, s) => listGroups(s, query(c), page(c))),
  );
  app.post(
    '/:org/Groups',
    handle(async (c, s) => createGroup(s, await body(c))),
  );
  app.get(
    '/:org/Groups/:id',
    handle((c, s) => getGroup(s, id(c), query(c))),
  );
  app.put(
    '/:org/Groups/:id',
    handle(async (c, s) => replaceGroup(s, id(c), await body(c), ifMatch(c))),
  );
  app.patch(
    '/:org/Groups/:id',
    handle(async (c, s) => patchGroup(s, id(c), await body(c), ifMatch(c))),
  );
  app.delete(
    '/:org/Groups/:id',
    handle((c, s) => deleteGroup(s, id(c), ifMatch(c))),
  );

  // Anything else under an org the token opened: a SCIM 404, not the server's OAuth-shaped one.
  app.all(
    '/:org/*',
    handle(() => {
      throw new ScimError(404, 'No such SCIM endpoint.');
    }),
  );
  return app;
}

const list = (resources: Record<string, unknown>[]) => ({ schemas: [URN.listResponse], totalResults: resources.length, startIndex: 1, itemsPerPage: resources.length, Resources: resources });

function one(resources: Record<string, unknown>[], id: string, what: string): Record<string, unknown> {
  const found = resources.find((r) => r.id === id);
  if (!found) throw new ScimError(404, `No such ${what}.`);
  return found;
}
