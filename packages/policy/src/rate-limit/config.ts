/**
 * Rate limits as they are declared in YAML or JSON config (snake_case),
 * checked at startup: a misspelt key, an unknown `per` or a zero limit is
 * an error naming the entry, never a limit silently not applied.
 *
 *   rate_limits:
 *     - { tool: export_revenue, per: principal, limit: 10, window_seconds: 3600 }
 *     - { per: agent, limit: 600, window_seconds: 60 }
 */
import { validateRateLimits, type RateLimit } from './gate.ts';

const KEYS = new Set(['tool', 'per', 'limit', 'window_seconds']);
const PER = new Set(['principal', 'agent', 'principal_agent']);

export function rateLimitsFromConfig(value: unknown): RateLimit[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error('rate_limits must be a list');
  const limits = value.map((entry, index): RateLimit => {
    const where = `rate_limits[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where} must be a mapping`);
    const fields = entry as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((key) => !KEYS.has(key));
    if (unknown.length > 0) throw new Error(`${where}: unknown key ${unknown.join(', ')} (expected tool, per, limit, window_seconds)`);
    if (fields.tool !== undefined && (typeof fields.tool !== 'string' || fields.tool === '')) throw new Error(`${where}.tool must be a tool name`);
    if (typeof fields.per !== 'string' || !PER.has(fields.per)) throw new Error(`${where}.per must be principal, agent or principal_agent`);
    if (typeof fields.limit !== 'number' || typeof fields.window_seconds !== 'number') throw new Error(`${where}: limit and window_seconds are numbers`);
    return { ...(fields.tool === undefined ? {} : { tool: fields.tool as string }), per: fields.per as RateLimit['per'], limit: fields.limit, windowSeconds: fields.window_seconds };
  });
  validateRateLimits(limits);
  return limits;
}
