import type { SigningKey } from '@gatehouse-auth/core';
import { DuplicateError, type SigningKeyStore } from '../types.ts';
import { fromJson, num, toJson } from './codec.ts';
import { isUniqueViolation } from './dialect.ts';
import type { Db } from './context.ts';

export function signingKeyStore({ db }: Db): SigningKeyStore {
  return {
    async insert(key) {
      try {
        await db
          .insertInto('signing_keys')
          .values({
            kid: key.kid,
            alg: key.alg,
            public_jwk: toJson(key.publicJwk),
            private_jwk: toJson(key.privateJwk),
            status: key.status,
            created_at: key.createdAt,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new DuplicateError(`signing key ${key.kid}`);
        throw error;
      }
    },
    async list() {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute();
      return rows.map(
        (row): SigningKey => ({
          kid: row.kid,
          alg: row.alg as SigningKey['alg'],
          publicJwk: fromJson<Record<string, unknown>>(row.public_jwk, {}),
          privateJwk: fromJson<Record<string, unknown>>(row.private_jwk, {}),
          status: row.status as SigningKey['status'],
          createdAt: num(row.created_at),
        }),
      );
    },
    async retire(kid) {
      await db.updateTable('signing_keys').set({ status: 'retired' }).where('kid', '=', kid).execute();
    },
  };
}
