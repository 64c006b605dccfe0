/**
 * The token endpoint's races on the production engine: PostgreSQL with a
 * connection pool, where group-committed batches and row locks really run
 * concurrently. Skipped loudly when PostgreSQL is unreachable (fails under CI=true).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenHash } from '@gatehouse-auth/core';
import { requirePostgres } from '@gatehouse-auth/store/testing';
import { basic, createFixture, introspect, issueCode, redeem, RESOURCE, token, type Fixture } from '../token/fixture.ts';

const available = await requirePostgres('token endpoint races on PostgreSQL');

describe.skipIf(!available)('Token endpoint races on PostgreSQL', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture({ refreshGraceMs: 0 }, 'postgres');
  });
  afterAll(() => fx?.close());

  it('lets exactly one of ten concurrent redemptions of a code succeed', async () => {
    const issued = await issueCode(fx);
    const results = await Promise.all(Array.from({ length: 10 }, () => redeem(fx, issued)));
    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
  });

  it("with grace 0 lets exactly one of five concurrent refreshes succeed and revokes the winner's tokens on reuse", async () => {
    const first = await redeem(fx, await issueCode(fx));
    const results = await Promise.all(Array.from({ length: 5 }, () => token(fx, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token!, client_id: 'public-app' })));
    const winners = results.filter((result) => result.status === 200);
    expect(winners).toHaveLength(1);
    expect(await introspect(fx, winners[0]!.body.access_token!)).toEqual({ active: false });
  });

  it('persists every token of a burst of 40 concurrent client_credentials requests', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, () => token(fx, { grant_type: 'client_credentials', resource: RESOURCE, scope: 'crm:read' }, basic('agent'))));
    expect(results.every((result) => result.status === 200)).toBe(true);
    const stored = await Promise.all(results.map((result) => fx.store.tokens.get(tokenHash(result.body.access_token!))));
    expect(stored.every((record) => record?.clientId === 'agent')).toBe(true);
  });

  it('keeps independent refresh chains working when their rotations share a batch', async () => {
    const chains = await Promise.all(Array.from({ length: 8 }, async () => (await redeem(fx, await issueCode(fx))).body.refresh_token!));
    const results = await Promise.all(chains.map((refreshToken) => token(fx, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'public-app' })));
    expect(results.map((result) => result.status)).toEqual(Array(8).fill(200));
  });
});
