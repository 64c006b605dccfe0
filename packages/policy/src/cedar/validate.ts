/**
 * Strict validation of a policy set against the generated schema: a typo in
 * an attribute, an action that does not exist or a type mismatch is found
 * before deployment (`gatehouse policy validate`), not at the first call.
 */
import { problemIn, type PolicyProblem, type PolicySource } from './policy-files.ts';
import { cedar } from './wasm.ts';

export function validatePolicies(source: PolicySource, schema: string): PolicyProblem[] {
  const schemaCheck = cedar.checkParseSchema(schema);
  if (schemaCheck.type === 'failure') return schemaCheck.errors.map((error) => ({ file: '(generated schema)', line: undefined, policyId: undefined, message: error.message }));
  const answer = cedar.validate({ schema, policies: { staticPolicies: source.policies }, validationSettings: { mode: 'strict' } });
  if (answer.type === 'failure') return answer.errors.map((error) => ({ file: '(policies)', line: undefined, policyId: undefined, message: error.message }));
  return answer.validationErrors.map((found) => problemIn(source, found.policyId, found.error));
}
