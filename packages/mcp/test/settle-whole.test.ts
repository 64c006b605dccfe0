/**
 * An answer held whole (a gateway's upstream that answered at once) is
 * settled as the same answer streamed would be: the same records, and the
 * same bytes sent, or the same error in their place when a record cannot be
 * written.
 */
import { describe, expect, it } from 'vitest';
import { settleAllowed, settleAllowedWhole, type OutcomeInput } from '../src/outcome-record.ts';
import type { DecisionRecord, PendingDecision } from '../src/index.ts';

const pending: PendingDecision = {
  principal: { subject: 'usr_alice', kind: 'user', orgId: 'org_acme', roles: ['Support'] },
  clientId: 'client_1',
  kind: 'tool',
  tool: 'echo',
  arguments: { message: 'hi' },
  scopes: ['everything:use'],
  ip: '127.0.0.1',
  userAgent: 'test',
  at: 1_000,
};

const sse = (message: unknown, id?: string) => `${id === undefined ? '' : `id: ${id}\n`}event: message\ndata: ${JSON.stringify(message)}\n\n`;
const result = { jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'Echo: hi' }] } };
const progress = { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } };

const answers: [string, string, string][] = [
  ['a JSON result', 'application/json', JSON.stringify(result)],
  ['a JSON-RPC error', 'application/json', JSON.stringify({ jsonrpc: '2.0', id: 7, error: { code: -32602, message: 'bad' } })],
  ['an SSE stream with progress, then the result', 'text/event-stream', sse(progress, 'e1') + sse(result, 'e2')],
  ['an SSE stream that ends before the result', 'text/event-stream', sse(progress, 'e1')],
  ['an SSE tool result with isError', 'text/event-stream', sse({ jsonrpc: '2.0', id: 7, result: { content: [], isError: true } })],
  [
    'an SSE stream with CRLF line ends, a comment, data over two lines, the result, a later event and an unfinished one',
    'text/event-stream',
    `: keep-alive\r\n\r\nid: e1\r\ndata: ${JSON.stringify(progress)}\r\n\r\nid: e2\r\nevent: message\r\ndata: {"jsonrpc":"2.0",\r\ndata: "id":7,"result":{"content":[]}}\r\n\r\n${sse(progress, 'e3')}data: {"unfinished"`,
  ],
  ['an SSE stream that ends before the result, having answered another request id', 'text/event-stream', sse({ ...result, id: 8 }, 'e1')],
];

function input(records: DecisionRecord[], fail = false): OutcomeInput {
  return {
    allowed: [pending],
    requestId: 7,
    startedAt: 1_000,
    now: () => 1_012,
    onDecision: (record) => {
      if (fail) throw new Error('audit log unavailable');
      records.push(record);
    },
    onError: () => {},
  };
}

async function streamed(contentType: string, text: string, fail = false) {
  const records: DecisionRecord[] = [];
  const response = await settleAllowed({ ...input(records, fail), response: new Response(text, { status: 200, headers: { 'content-type': contentType } }) });
  return { records, status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

async function whole(contentType: string, text: string, fail = false) {
  const records: DecisionRecord[] = [];
  const answer = await settleAllowedWhole(input(records, fail), { status: 200, headers: { 'content-type': contentType }, body: new TextEncoder().encode(text) });
  return { records, status: answer.status, contentType: answer.headers['content-type'], text: typeof answer.body === 'string' ? answer.body : new TextDecoder().decode(answer.body) };
}

describe('An answer held whole is settled as the same answer streamed', () => {
  for (const [what, contentType, text] of answers) {
    it(`${what}: the same records and the same answer`, async () => {
      const held = await whole(contentType, text);
      expect(held).toEqual(await streamed(contentType, text));
      expect(held.records).toHaveLength(1);
      expect(held.text).toBe(text);
    });
  }

  for (const [what, contentType, text] of answers.filter(([what]) => !what.includes('ends before'))) {
    it(`${what}: a record that cannot be written withholds the result, as streamed`, async () => {
      const held = await whole(contentType, text, true);
      expect(held).toEqual(await streamed(contentType, text, true));
      expect(held.text).toContain('-32603');
      expect(held.text).not.toContain('Echo: hi');
    });
  }

  it('sends the very bytes it held when nothing is rewritten', async () => {
    const body = new TextEncoder().encode(sse(progress) + sse(result));
    const answer = await settleAllowedWhole(input([]), { status: 200, headers: { 'content-type': 'text/event-stream' }, body });
    expect(answer.body).toBe(body);
  });
});
