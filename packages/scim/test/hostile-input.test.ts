/**
 * Hostile input at the SCIM endpoint (fast-check): arbitrary filters,
 * PATCH bodies, paging parameters and ids never crash the server. Every
 * answer is a success or a SCIM Error message with a 4xx status as a
 * string, and a refused write leaves the resource as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { json, scimHarness, type ScimHarness } from './support.ts';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('SCIM hostile input (fast-check)', () => {
  let h: ScimHarness;
  let userId: string;
  let groupId: string;
  beforeAll(async () => {
    h = await scimHarness('sqlite');
    userId = (await json(await h.scim('POST', 'Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'target@acme.test' }))).id;
    groupId = (await json(await h.scim('POST', 'Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Target', members: [{ value: userId }] }))).id;
  });
  afterAll(() => h.close());

  const expectScimAnswer = async (res: Response, ok: number[]) => {
    if (ok.includes(res.status)) return;
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const body = await json(res);
    expect(body.schemas).toEqual([ERROR]);
    expect(body.status).toBe(String(res.status));
  };

  const filterPiece = fc.oneof(
    fc.constantFrom('userName', 'emails', 'emails.value', 'members', 'members[value eq "x"]', 'name.givenName', 'active', 'meta.created', 'id', 'urn:x:y:z'),
    fc.constantFrom(' eq ', ' ne ', ' co ', ' sw ', ' ew ', ' gt ', ' pr', ' and ', ' or ', ' not ', '(', ')', '[', ']'),
    fc.constantFrom('"a"', '"\\""', 'true', 'false', 'null', '1', '"\u0000"', '"@acme.test"'),
    fc.string({ maxLength: 8 }),
  );

  it('any filter answers 200 or 400 invalidFilter, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(filterPiece, { maxLength: 8 }), fc.constantFrom('Users', 'Groups'), async (pieces, resource) => {
        const res = await h.scim('GET', `${resource}?filter=${encodeURIComponent(pieces.join(''))}`);
        await expectScimAnswer(res, [200]);
      }),
      { numRuns: 300 },
    );
  });

  it('any paging parameters answer 200 or 400, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer().map(String), fc.string({ maxLength: 6 })), fc.oneof(fc.integer().map(String), fc.string({ maxLength: 6 })), async (start, count) => {
        const res = await h.scim('GET', `Users?startIndex=${encodeURIComponent(start)}&count=${encodeURIComponent(count)}`);
        await expectScimAnswer(res, [200]);
      }),
      { numRuns: 200 },
    );
  });

  it('any PATCH operation list answers 200 or a SCIM 4xx; a refused one changes nothing', async () => {
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant([{ value: 'usr_unknown' }]), fc.constant({ active: 'False' }));
    const operation = fc.record(
      {
        op: fc.oneof(fc.constantFrom('add', 'Add', 'remove', 'Remove', 'replace', 'REPLACE', 'move'), fc.string({ maxLength: 4 })),
        path: fc.oneof(
          fc.constantFrom('members', 'active', 'displayName', 'userName', 'emails[type eq "work"].value', 'members[value eq "x"]', 'name.familyName', 'meta.version', 'id', '[', 'a..b'),
          fc.string({ maxLength: 6 }),
        ),
        value,
      },
      { requiredKeys: ['op'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('Users', 'Groups'), fc.array(operation, { maxLength: 4 }), async (resource, operations) => {
        const id = resource === 'Users' ? userId : groupId;
        const before = await json(await h.scim('GET', `${resource}/${id}`));
        const res = await h.scim('PATCH', `${resource}/${id}`, { schemas: [PATCH_OP], Operations: operations });
        await expectScimAnswer(res, [200]);
        if (res.status !== 200) expect(await json(await h.scim('GET', `${resource}/${id}`))).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });

  it('any id in the path answers 404, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom('GET', 'DELETE', 'PUT', 'PATCH'), async (raw, method) => {
        const res = await h.scim(
          method,
          `Users/${encodeURIComponent(raw)}`,
          method === 'PUT' || method === 'PATCH' ? { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] } : undefined,
        );
        await expectScimAnswer(res, raw === userId ? [200, 204] : []);
      }),
      { numRuns: 150 },
    );
  });
});
