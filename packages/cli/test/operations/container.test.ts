/**
 * No container engine runs on the project's machines, so the image is
 * checked as text: its build stage runs the commands the packaging test
 * runs (npm ci, npm run build), the final stage is production-only and
 * non-root with a HEALTHCHECK, and the entrypoint is the built bin the
 * packaging test executes. compose.yaml is checked as data.
 */
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

const root = new URL('../../../../', import.meta.url);
const stages = async () => (await readFile(new URL('Dockerfile', root), 'utf8')).split(/^FROM /m).slice(1);

describe('Dockerfile (issue 11, item 3)', () => {
  it('builds with npm ci and npm run build, then keeps production dependencies only', async () => {
    const [build] = await stages();
    expect(build).toMatch(/^RUN npm ci\b/m);
    expect(build).toMatch(/^RUN npm run build$/m);
    expect(build).toMatch(/^RUN npm prune --omit=dev\b/m);
  });

  it('runs the built bin as a non-root user, with a HEALTHCHECK on /healthz that needs no curl', async () => {
    const all = await stages();
    const final = all[all.length - 1]!;
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(final).toMatch(/^USER node$/m);
    expect(final).not.toMatch(/npm (ci|install)(?![^\n]*--omit=dev)/);
    expect(final).toMatch(/^HEALTHCHECK [\s\S]*CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:4000\/healthz'\)/m);
    expect(final).not.toMatch(/curl|wget/);
    expect(final).toMatch(/^ENTRYPOINT \["node", "packages\/cli\/dist\/bin\.js"\]$/m);
  });
});

describe('compose.yaml (issue 11, item 3)', () => {
  it('runs Gatehouse against PostgreSQL with secrets from the environment and metrics off the published ports', async () => {
    const compose = parse(await readFile(new URL('compose.yaml', root), 'utf8')) as {
      services: Record<string, { image?: string; environment?: Record<string, string>; ports?: string[]; depends_on?: Record<string, unknown>; command?: string[] }>;
    };
    const { postgres, gatehouse } = compose.services;
    expect(postgres?.image).toMatch(/^postgres:/);
    expect(gatehouse?.depends_on).toHaveProperty('postgres');
    const env = gatehouse!.environment!;
    expect(env.GATEHOUSE_DATABASE_URL).toMatch(/^postgres:\/\/gatehouse:\$\{POSTGRES_PASSWORD\}@postgres:5432\/gatehouse$/);
    expect(env.GATEHOUSE_ADMIN_KEY).toMatch(/^\$\{GATEHOUSE_ADMIN_KEY:\?/);
    expect(env.GATEHOUSE_METRICS_PORT).toBe('9464');
    expect(gatehouse!.ports).toEqual(['127.0.0.1:4000:4000']);
    expect(gatehouse!.command?.[0]).toBe('serve');
  });
});
