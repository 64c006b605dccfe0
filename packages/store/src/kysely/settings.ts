import type { SignupPolicy } from '@gatehouse-auth/core';
import type { SettingsStore } from '../types.ts';
import { fromJson, toJson } from './codec.ts';
import type { Db } from './context.ts';

const SIGNUP_POLICY = 'signup_policy';

/** Closed by default: nobody signs up until an operator opens it. */
export const DEFAULT_SIGNUP_POLICY: SignupPolicy = { publicSignup: false, allowedEmailDomains: [] };

export function settingsStore({ db }: Db): SettingsStore {
  return {
    async getSignupPolicy() {
      const row = await db.selectFrom('settings').select('value').where('key', '=', SIGNUP_POLICY).executeTakeFirst();
      return { ...DEFAULT_SIGNUP_POLICY, ...fromJson<Partial<SignupPolicy>>(row?.value, {}) };
    },
    async setSignupPolicy(policy) {
      const value = toJson({
        publicSignup: policy.publicSignup,
        allowedEmailDomains: policy.allowedEmailDomains.map((domain) => domain.toLowerCase()),
      });
      await db
        .insertInto('settings')
        .values({ key: SIGNUP_POLICY, value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
        .execute();
    },
  };
}
