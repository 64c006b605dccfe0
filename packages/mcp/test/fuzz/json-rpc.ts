/**
 * JSON-RPC bodies for fuzzing an MCP endpoint: requests and notifications
 * with real and unknown methods, tool names, resource URIs and protocol
 * versions, arguments of any JSON shape (prototype keys included), wrong
 * member types, and batches. Built as text, so a `__proto__` member reaches
 * the parser as a key rather than becoming a prototype.
 */
import fc from 'fast-check';
import { hostileString, POISON_KEYS } from '../../../../fuzz/hostile-http.ts';

const METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/read',
  'resources/templates/list',
  'resources/subscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'notifications/initialized',
  'notifications/cancelled',
  'sampling/createMessage',
  'roots/list',
  'tools/call ',
  'TOOLS/CALL',
  'rpc.discover',
  '__proto__',
  'constructor',
];
const NAMES = ['list_tickets', 'update_ticket', 'revenue_report', 'whoami', 'summarise_tickets', 'nope', '__proto__', 'constructor', 'toString'];
const URIS = ['reports://2024', 'reports://', 'reports://../../etc', 'docs://handbook', 'docs://handbook#x', 'file:///etc/passwd', 'http://evil.example/', 'reports://%zz'];
const VERSIONS = ['2025-06-18', '2025-03-26', '2025-11-25', '2026-07-28', '2024-11-05', '1999-01-01', ''];

const text = (value: unknown): string => JSON.stringify(value) ?? 'null';
const key = fc.oneof({ arbitrary: fc.constantFrom(...POISON_KEYS, 'orgId', 'ticketId', 'year'), weight: 1 }, { arbitrary: hostileString, weight: 1 });
/** An object literal as text, with keys that may be prototype keys. */
const objectText = (depth: number): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(key, depth > 0 ? fc.oneof(fc.jsonValue({ maxDepth: 2 }).map(text), objectText(depth - 1)) : fc.jsonValue({ maxDepth: 1 }).map(text)), { maxLength: 6 })
    .map((members) => `{${members.map(([k, v]) => `${text(k)}:${v}`).join(',')}}`);

const params = fc.oneof(
  fc.tuple(fc.oneof(fc.constantFrom(...NAMES), hostileString), fc.oneof(objectText(2), fc.jsonValue({ maxDepth: 2 }).map(text))).map(([name, args]) => `{"name":${text(name)},"arguments":${args}}`),
  fc.oneof(fc.constantFrom(...URIS), hostileString).map((uri) => `{"uri":${text(uri)}}`),
  fc
    .tuple(fc.constantFrom(...VERSIONS), fc.jsonValue({ maxDepth: 2 }))
    .map(([version, caps]) => `{"protocolVersion":${text(version)},"capabilities":${text(caps)},"clientInfo":{"name":"fuzz","version":"1"}}`),
  fc.constantFrom('{"level":"debug"}', '{"cursor":"x"}', '{"cursor":5}', '{"_meta":{"progressToken":{}}}', '{"requestId":1}', '[]', 'null', '"x"', '5'),
  objectText(2),
);

const id = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 10 }),
  fc.constantFrom('null', '1.5', '{}', '[]', 'true', '9007199254740993').map((raw) => ({ raw })),
);
const idText = (value: number | string | { raw: string }): string => (typeof value === 'object' ? value.raw : text(value));

/** One JSON-RPC message (request, notification, or something that only looks like one), as text. */
export const jsonRpcMessage: fc.Arbitrary<string> = fc
  .record(
    {
      jsonrpc: fc.oneof({ arbitrary: fc.constant('"2.0"'), weight: 8 }, { arbitrary: fc.constantFrom('"1.0"', '2', 'null'), weight: 1 }),
      id,
      method: fc.oneof({ arbitrary: fc.constantFrom(...METHODS).map(text), weight: 8 }, { arbitrary: fc.constantFrom('5', 'null', '{}'), weight: 1 }),
      params,
    },
    { requiredKeys: ['method'] },
  )
  .map((m) => `{${[m.jsonrpc && `"jsonrpc":${m.jsonrpc}`, m.id !== undefined && `"id":${idText(m.id)}`, `"method":${m.method}`, m.params && `"params":${m.params}`].filter(Boolean).join(',')}}`);

/** A POST body for an MCP endpoint: mostly one message, sometimes a batch or a response-shaped message. */
export const jsonRpcBody: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: jsonRpcMessage, weight: 8 },
  { arbitrary: fc.array(jsonRpcMessage, { minLength: 0, maxLength: 4 }).map((messages) => `[${messages.join(',')}]`), weight: 1 },
  { arbitrary: fc.constantFrom('{"jsonrpc":"2.0","id":1,"result":{}}', '{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"x"}}', '{"jsonrpc":"2.0"}', '{}'), weight: 1 },
);
