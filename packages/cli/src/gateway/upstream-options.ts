/**
 * From the config's snake_case `upstreams:` to the gateway's options:
 * values read from the environment, defaults from the upstream's resource
 * in the catalogue (under `gatehouse serve`). Problems are returned with
 * their path in the YAML document, never thrown one at a time.
 */
import type { UpstreamOptions } from '@gatehouse-auth/gateway';
import type { UpstreamConfig } from '../config/upstreams-schema.ts';

export interface Issue {
  path: (string | number)[];
  message: string;
}

type Env = Record<string, string | undefined>;

export interface UpstreamDefaults {
  scopes?: string[];
  organizations?: string[];
}

export function upstreamOptions(upstream: UpstreamConfig, at: (string | number)[], env: Env, defaults: UpstreamDefaults, issues: Issue[]): UpstreamOptions {
  const value = (raw: string | { from_env: string }, path: (string | number)[]): string => {
    if (typeof raw === 'string') return raw;
    const found = env[raw.from_env];
    if (!found) issues.push({ path: [...path, 'from_env'], message: `environment variable ${raw.from_env} is not set` });
    return found ?? '';
  };
  const scopes = upstream.scopes ?? defaults.scopes;
  const organizations = upstream.organizations ?? defaults.organizations;
  if (!scopes) issues.push({ path: [...at, 'scopes'], message: 'list the scopes this upstream understands' });
  if (!organizations || organizations.length === 0)
    issues.push({ path: [...at, 'organizations'], message: 'name the organizations this upstream serves (every protected resource belongs to organizations)' });
  const rules = (kind: 'tools' | 'resources' | 'prompts') =>
    upstream.policy[kind].map((rule) => ({
      name: rule.name,
      scopes: rule.scopes,
      deny: rule.deny,
      ...(rule.arguments
        ? {
            arguments: Object.fromEntries(
              Object.entries(rule.arguments).map(([name, c]) => [
                name,
                { ...(c.path_under !== undefined ? { pathUnder: c.path_under } : {}), ...(c.enum ? { enum: c.enum } : {}), ...(c.max_length !== undefined ? { maxLength: c.max_length } : {}) },
              ]),
            ),
          }
        : {}),
    }));
  const options: UpstreamOptions = {
    name: upstream.name,
    path: upstream.path,
    scopes: scopes ?? [],
    organizations: organizations ?? [],
    requiredScopes: upstream.required_scopes,
    ...(upstream.resource_name ? { resourceName: upstream.resource_name } : {}),
    policy: { default: upstream.policy.default, tools: rules('tools'), resources: rules('resources'), prompts: rules('prompts') },
  };
  if (upstream.stdio) {
    const { command, args, env: childEnv, cwd, sessions } = upstream.stdio;
    options.stdio = {
      command,
      args,
      env: Object.fromEntries(Object.entries(childEnv).map(([name, raw]) => [name, value(raw, [...at, 'stdio', 'env', name])])),
      ...(cwd ? { cwd } : {}),
      sessions: { idleTimeoutMs: sessions.idle_timeout_seconds * 1000, maxPerUser: sessions.max_per_user, maxTotal: sessions.max_total },
    };
  }
  if (upstream.http) {
    const { url, headers, client_credentials: cc } = upstream.http;
    let clientSecret = '';
    if (cc) {
      clientSecret = env[cc.client_secret_env] ?? '';
      if (!clientSecret) issues.push({ path: [...at, 'http', 'client_credentials', 'client_secret_env'], message: `environment variable ${cc.client_secret_env} is not set` });
    }
    options.http = {
      url,
      headers: Object.fromEntries(Object.entries(headers).map(([name, raw]) => [name, value(raw, [...at, 'http', 'headers', name])])),
      ...(cc
        ? { clientCredentials: { tokenEndpoint: cc.token_endpoint, clientId: cc.client_id, clientSecret, ...(cc.scope ? { scope: cc.scope } : {}), ...(cc.resource ? { resource: cc.resource } : {}) } }
        : {}),
    };
  }
  return options;
}

/** A gateway option path (camelCase) as the YAML spells it. */
export const yamlPath = (path: (string | number)[]): (string | number)[] => path.map((segment) => (typeof segment === 'string' ? segment.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : segment));
