/**
 * Reads gatehouse.yaml: YAML → zod shape → cross-references → secrets from
 * the environment. Every problem is reported at once as
 * `gatehouse.yaml:42:7: scopes[3].allowed_roles[0]: unknown role "Finance"`,
 * and nothing is returned (so nothing is applied) when any exists.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { isLoopbackHost } from '@gatehouse-auth/core';
import { configSchema, type GatehouseConfig } from './schema.ts';
import { checkReferences, type ConfigIssue } from './references.ts';
import { formatPath, locate } from './locate.ts';

export interface LocatedIssue {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: LocatedIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
  }
}

export const formatIssue = (issue: LocatedIssue): string => `${issue.file}:${issue.line}:${issue.col}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;

export interface LoadOptions {
  /** Where `secret_env` / `password_env` are looked up. Default: process.env. */
  env?: Record<string, string | undefined>;
  /**
   * Whether literal `secret:` / `password:` values are accepted. Default:
   * only when the file's issuer is absent or on a loopback host (development).
   */
  allowLiteralSecrets?: boolean;
}

export async function loadConfigFile(path: string, options: LoadOptions = {}): Promise<GatehouseConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError([{ file: path, line: 1, col: 1, path: '', message: reason }]);
  }
  return parseConfig(text, basename(path), options);
}

export function parseConfig(text: string, file = 'gatehouse.yaml', options: LoadOptions = {}): GatehouseConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const { line, col } = counter.linePos(error.pos[0]);
        return { file, line, col, path: '', message: error.message.split('\n')[0] ?? error.code };
      }),
    );
  }
  const at = (issue: ConfigIssue, asKey = false): LocatedIssue => ({ file, ...locate(doc, counter, issue.path, asKey), path: formatPath(issue.path), message: issue.message });

  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.flatMap((issue) => {
        const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        if (issue.code === 'unrecognized_keys') {
          return issue.keys.map((key) => at({ path: [...path, key], message: `unknown key "${key}"` }, true));
        }
        return [at({ path, message: issue.message })];
      }),
    );
  }
  const config = parsed.data;
  const issues = [...checkReferences(config), ...resolveSecrets(config, options)];
  if (issues.length > 0) throw new ConfigError(issues.map((issue) => at(issue)));
  return config;
}

/** Fills `secret` / `password` from the environment; refuses literals when asked to. */
function resolveSecrets(config: GatehouseConfig, options: LoadOptions): ConfigIssue[] {
  const env = options.env ?? process.env;
  const literalsAllowed = options.allowLiteralSecrets ?? (config.issuer === undefined || isLoopbackHost(new URL(config.issuer).hostname));
  const issues: ConfigIssue[] = [];
  const literal = (path: (string | number)[], what: string) => issues.push({ path, message: `a literal ${what} is for development only; use ${what}_env with a non-loopback issuer` });
  config.clients.forEach((client, i) => {
    if (client.secret !== undefined && !literalsAllowed) literal(['clients', i, 'secret'], 'secret');
    if (client.secret_env !== undefined) {
      const value = env[client.secret_env];
      if (!value) issues.push({ path: ['clients', i, 'secret_env'], message: `environment variable ${client.secret_env} is not set` });
      else if (value.length < 16) issues.push({ path: ['clients', i, 'secret_env'], message: `${client.secret_env} holds fewer than 16 characters` });
      else client.secret = value;
    }
  });
  config.users.forEach((user, i) => {
    if (user.password !== undefined && !literalsAllowed) literal(['users', i, 'password'], 'password');
    if (user.password_env !== undefined) {
      const value = env[user.password_env];
      if (!value) issues.push({ path: ['users', i, 'password_env'], message: `environment variable ${user.password_env} is not set` });
      else user.password = value;
    }
  });
  return issues;
}
