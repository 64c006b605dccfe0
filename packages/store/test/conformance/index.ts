/**
 * One behavioural suite for every Store implementation. Each engine's test
 * file calls `defineStoreConformance(name, makeStore)`; a behaviour that
 * holds on SQLite but not on PostgreSQL (or the reverse) is a bug.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import type { Store } from '@gatehouse-auth/store';
import type { TestStore } from '@gatehouse-auth/store/testing';
import { accountsSuite } from './accounts.ts';
import { catalogSuite } from './catalog.ts';
import { clientsSuite } from './clients.ts';
import { clientPoliciesSuite, clientSecretsSuite } from './client-policies.ts';
import { grantsAndCodesSuite } from './grants-codes.ts';
import { grantExpirySuite } from './grant-expiry.ts';
import { rotationSuite } from './rotation.ts';
import { revocationSuite } from './revocation.ts';
import { revocationRacesSuite } from './revocation-races.ts';
import { ephemeralSuite } from './ephemeral.ts';
import { transactionsSuite } from './transactions.ts';
import { federationSuite } from './federation.ts';
import { tokenHolderSuite } from './token-holder.ts';

export type MakeStore = () => Promise<TestStore>;

export interface SuiteContext {
  /** The store shared by the suite; tests use fresh ids so they never collide. */
  readonly store: Store;
  /** A second store on the same database, when the engine allows it (PostgreSQL). */
  readonly another: Store | undefined;
  /** A fresh, empty store for tests about defaults or whole-table listings. */
  fresh(): Promise<Store>;
}

export function defineStoreConformance(name: string, makeStore: MakeStore, opts: { crossConnection: boolean }): void {
  describe(`Store conformance (${name})`, () => {
    let shared: TestStore | undefined;
    let another: Store | undefined;
    const extra: TestStore[] = [];
    const ctx: SuiteContext = {
      get store() {
        if (!shared) throw new Error('store not ready');
        return shared.store;
      },
      get another() {
        return another;
      },
      async fresh() {
        const made = await makeStore();
        extra.push(made);
        return made.store;
      },
    };
    beforeAll(async () => {
      shared = await makeStore();
      if (opts.crossConnection) another = await shared.openAnother();
    });
    afterAll(async () => {
      await Promise.all([shared, ...extra].map((s) => s?.cleanup()));
    });

    accountsSuite(ctx);
    catalogSuite(ctx);
    clientsSuite(ctx);
    clientPoliciesSuite(ctx);
    clientSecretsSuite(ctx);
    grantsAndCodesSuite(ctx);
    grantExpirySuite(ctx);
    rotationSuite(ctx);
    revocationSuite(ctx);
    tokenHolderSuite(ctx);
    revocationRacesSuite(ctx);
    ephemeralSuite(ctx);
    transactionsSuite(ctx);
    federationSuite(ctx);
  });
}
