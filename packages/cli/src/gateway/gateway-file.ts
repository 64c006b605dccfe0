/**
 * gateway.yaml for `gatehouse gateway`: read, shape-checked (zod), secrets
 * from the environment, and the policies compiled by the gateway itself, so
 * an unknown scope or a bad pattern stops startup with file, line and
 * reason, all problems at once.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { createGateway, type Gateway, type GatewayOptions } from '@gatehouse-auth/gateway';
import { ConfigError } from '../config/load.ts';
import { gatewayFileSchema, type GatewayFileConfig } from '../config/upstreams-schema.ts';
import { locatedError, locatedPolicyError } from './located.ts';
import { runtimeAuthorizations } from './runtime-authorization.ts';
import { upstreamOptions, type Issue } from './upstream-options.ts';

export interface LoadedGatewayFile {
  config: GatewayFileConfig;
  /** Where decisions are audited (`audit:`), resolved from the environment; undefined: they are logged. */
  auditDatabaseUrl?: string;
  /** Builds the gateway (compiling every policy, Cedar's too); throws ConfigError with lines. */
  create(extra?: Partial<GatewayOptions>): Promise<Gateway>;
}

export async function loadGatewayFile(path: string, env: Record<string, string | undefined> = process.env): Promise<LoadedGatewayFile> {
  const file = basename(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError([{ file: path, line: 1, col: 1, path: '', message: reason }]);
  }
  return parseGatewayFile(text, file, env, dirname(resolve(path)));
}

/** `baseDir`: where the file's relative paths (Cedar policy files) resolve, its folder. */
export function parseGatewayFile(text: string, file: string, env: Record<string, string | undefined> = process.env, baseDir = process.cwd()): LoadedGatewayFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((error) => ({ file, ...counter.linePos(error.pos[0]), path: '', message: error.message.split('\n')[0] ?? error.code })));
  }
  const parsed = gatewayFileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue): Issue[] => {
      const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      return issue.code === 'unrecognized_keys' ? issue.keys.map((key) => ({ path: [...at, key], message: `unknown key "${key}"` })) : [{ path: at, message: issue.message }];
    });
    throw locatedError(file, text, issues);
  }
  const config = parsed.data;
  const issues: Issue[] = [];
  const secret = config.introspection.client_secret_env ? env[config.introspection.client_secret_env] : config.introspection.client_secret;
  if (!secret)
    issues.push({
      path: ['introspection', config.introspection.client_secret_env ? 'client_secret_env' : 'client_secret'],
      message: config.introspection.client_secret_env ? `environment variable ${config.introspection.client_secret_env} is not set` : 'give client_secret_env',
    });
  const auditDatabaseUrl = config.audit?.database_url_env ? env[config.audit.database_url_env] : config.audit?.database_url;
  if (config.audit && !auditDatabaseUrl)
    issues.push({
      path: ['audit', config.audit.database_url_env ? 'database_url_env' : 'database_url'],
      message: config.audit.database_url_env ? `environment variable ${config.audit.database_url_env} is not set` : 'give database_url_env or database_url',
    });
  const redisEnv = config.gateway.rate_limit_redis_url_env;
  const rateLimitRedisUrl = redisEnv ? env[redisEnv] : undefined;
  if (redisEnv && !rateLimitRedisUrl) issues.push({ path: ['gateway', 'rate_limit_redis_url_env'], message: `environment variable ${redisEnv} is not set` });
  const upstreams = config.upstreams.map((upstream, i) => upstreamOptions(upstream, ['upstreams', i], env, {}, issues));
  if (issues.length > 0) throw locatedError(file, text, issues);
  const client = { clientId: config.introspection.client_id, clientSecret: secret! };
  return {
    config,
    ...(auditDatabaseUrl ? { auditDatabaseUrl } : {}),
    async create(extra = {}) {
      const problems: Issue[] = [];
      const runtime = await runtimeAuthorizations(
        config.upstreams.map((upstream, i) => ({ config: upstream, at: ['upstreams', i] })),
        { issuer: config.issuer, client, baseDir, env, ...(rateLimitRedisUrl ? { rateLimitRedisUrl } : {}) },
        problems,
      );
      if (problems.length > 0) {
        await runtime.close();
        throw locatedError(file, text, problems);
      }
      let gateway: Gateway;
      try {
        gateway = createGateway({
          issuer: config.issuer,
          publicUrl: config.gateway.public_url,
          introspection: client,
          upstreams: upstreams.map((upstream, i) => ({ ...upstream, ...runtime.upstreams[i] })),
          ...extra,
        });
      } catch (error) {
        await runtime.close();
        throw locatedPolicyError(file, text, error);
      }
      return {
        ...gateway,
        async close() {
          await gateway.close();
          await runtime.close();
        },
      };
    },
  };
}
