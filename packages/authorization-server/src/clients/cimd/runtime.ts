/**
 * Per-server state of metadata-document resolution: the host resolver (the
 * injection point tests use to make `evil.test` resolve to 10.0.0.1 without
 * DNS) and in-flight fetches, so concurrent resolutions of one URL share a
 * single fetch. Keyed by the ServerContext, so two servers in one process
 * never share either.
 */
import type { Client } from '@gatehouse-auth/core';
import type { ServerContext } from '../../context.ts';
import { systemResolver, type HostResolver } from './lookup.ts';

interface CimdRuntime {
  resolver: HostResolver;
  inflight: Map<string, Promise<Client>>;
}

const runtimes = new WeakMap<ServerContext, CimdRuntime>();

export function cimdRuntime(ctx: ServerContext): CimdRuntime {
  let runtime = runtimes.get(ctx);
  if (!runtime) {
    runtime = { resolver: systemResolver, inflight: new Map() };
    runtimes.set(ctx, runtime);
  }
  return runtime;
}

/** Replaces how metadata-document hosts are resolved for this server (tests, custom DNS). */
export function configureCimd(ctx: ServerContext, settings: { resolver: HostResolver }): void {
  cimdRuntime(ctx).resolver = settings.resolver;
}
