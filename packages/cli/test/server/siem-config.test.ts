/**
 * gatehouse.yaml `siem:` (issue 16 §4): the audit records a running server
 * writes reach the configured OTLP collector; header values come from the
 * environment, never from the file.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { startGatehouse } from '../../src/server/start.ts';

const received: { headers: IncomingHttpHeaders; names: string[] }[] = [];
const collector = createServer((request, response) => {
  let text = '';
  request.on('data', (chunk) => (text += chunk));
  request.on('end', () => {
    const body = JSON.parse(text) as { resourceLogs: { scopeLogs: { logRecords: { attributes: { key: string; value: { stringValue?: string } }[] }[] }[] }[] };
    const names = body.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords.map((l) => l.attributes.find((a) => a.key === 'event.name')?.value.stringValue ?? '')));
    received.push({ headers: request.headers, names });
    response.writeHead(200).end('{}');
  });
});
let url: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

describe('siem.otlp in gatehouse.yaml', () => {
  it('streams the audit records the server writes to the collector, with headers from the environment', async () => {
    process.env.GATEHOUSE_TEST_OTLP_AUTH = 'Bearer collector-secret';
    const config = parseConfig(`siem:\n  otlp:\n    endpoint: ${url}\n    headers_env: { authorization: GATEHOUSE_TEST_OTLP_AUTH }\norganizations:\n  - { slug: acme, name: Acme }\n`);
    const gatehouse = await startGatehouse({ config });
    try {
      await gatehouse.audit!.append({ type: 'authz.decision', result: 'failure', orgId: null, tool: 'tickets.read' });
      for (let i = 0; i < 300 && !received.some((r) => r.names.includes('authz.decision')); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(received.flatMap((r) => r.names)).toContain('authz.decision');
      expect(received[0]!.headers.authorization).toBe('Bearer collector-secret');
    } finally {
      await gatehouse.close();
      delete process.env.GATEHOUSE_TEST_OTLP_AUTH;
    }
  });

  it('refuses a misspelt siem key with a config error', () => {
    expect(() => parseConfig('siem:\n  sylog: { host: x, port: 6514 }\n')).toThrow(/sylog/);
  });
});
