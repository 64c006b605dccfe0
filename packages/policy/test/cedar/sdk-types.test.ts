/**
 * src/cedar/sdk-types.ts restates the SDK's policy hook types so this
 * package needs no runtime dependency on @gatehouse-auth/mcp (a sibling,
 * not an inner layer). These type-level checks fail the typecheck
 * (`npx tsc -p tsconfig.json`) the moment the two drift apart.
 */
import type { Decision, DecisionBasis, Operation, Policy, Principal, RequestContext } from '@gatehouse-auth/mcp';
import { describe, expectTypeOf, it } from 'vitest';
import type { cedarPolicy, DecisionBasis as DecisionBasisLike, DecisionLike, OperationLike, PolicyLike, PrincipalLike, RequestContextLike } from '../../src/index.ts';

describe("The policy package's restated SDK hook types match @gatehouse-auth/mcp's", () => {
  it('operation, request context and decision are the same types', () => {
    expectTypeOf<OperationLike>().toEqualTypeOf<Operation>();
    expectTypeOf<RequestContextLike>().toEqualTypeOf<RequestContext>();
    expectTypeOf<DecisionBasisLike>().toEqualTypeOf<DecisionBasis>();
    expectTypeOf<DecisionLike>().toEqualTypeOf<Decision>();
  });

  it('the principal is the part of the SDK principal a policy reads, field for field', () => {
    expectTypeOf<PrincipalLike>().toEqualTypeOf<Pick<Principal, keyof PrincipalLike>>();
  });

  it('a cedarPolicy is an SDK policy', () => {
    expectTypeOf<PolicyLike>().toExtend<Policy>();
    expectTypeOf<ReturnType<typeof cedarPolicy>>().toExtend<Policy>();
  });
});
