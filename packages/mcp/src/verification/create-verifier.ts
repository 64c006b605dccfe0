import type { Clock } from '@gatehouse-auth/core';
import type { ResolvedOptions } from '../options.ts';
import { IntrospectionVerifier } from './introspection-verifier.ts';
import { JwtVerifier } from './jwt-verifier.ts';
import type { TokenVerifier } from './types.ts';

/** A custom verifier first, then JWT, then introspection. */
export function createVerifier(options: ResolvedOptions, clock: Clock): TokenVerifier {
  if (options.verifier) return options.verifier;
  const common = { issuer: options.issuer, resource: options.resource, clock, ...(options.onError ? { onError: options.onError } : {}) };
  if (options.jwt) return new JwtVerifier({ ...options.jwt, ...common });
  if (options.introspection) return new IntrospectionVerifier({ ...options.introspection, ...common });
  throw new Error('configure introspection, jwt or a verifier');
}
