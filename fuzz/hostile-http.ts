/**
 * Hostile HTTP requests as fast-check arbitraries, shared by the fuzz suites
 * of the authorization server and the SDK (each describes its own routes and
 * the parameter names a real client would send; this module turns them into
 * requests an attacker or a broken client could send). Everything stays
 * within what a web-standard Request can carry, since that is what reaches
 * the apps behind @hono/node-server; bodies stay under 64 KiB (unbounded
 * bodies are a separate test).
 */
import fc from 'fast-check';

export interface RequestSpec {
  method: string;
  /** Path with its query, e.g. `/token?x=1`. */
  target: string;
  headers: Array<[string, string]>;
  body?: Uint8Array | string;
}

/** What a route's generator knows about a real request to it. */
export interface RouteShape {
  method: string;
  /** Hono path pattern, `:name` segments filled from `pathParams`. */
  path: string;
  /** Parameter names a real client sends (query, form or JSON members). */
  params: readonly string[];
  /** The body a real client sends. */
  body: 'form' | 'json' | 'none';
  /** Values that are valid somewhere in this deployment (real ids, tokens, secrets), by parameter or path segment name. */
  known: Readonly<Record<string, readonly string[]>>;
  /** Header sets that get past authentication or CSRF (real credentials), mixed into the hostile ones. */
  credentials: ReadonlyArray<ReadonlyArray<readonly [string, string]>>;
  /** Bodies in the route's own protocol (JSON-RPC for MCP), sent as application/json beside the generic ones. */
  protocolBody?: fc.Arbitrary<string>;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'get', 'post', 'PROPFIND', 'M-SEARCH', 'FOO'];

/** Strings that break naive parsers: encodings, types spelled as strings, injection, prototype keys. */
const NASTY = [
  '',
  ' ',
  '\t',
  '\0',
  '%',
  '%%',
  '%0',
  '%zz',
  '%00',
  '%C3%28',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%FF%FE',
  '%E2%82',
  '+',
  '%2B',
  '&',
  '=',
  '==',
  ';',
  '\uD800',
  '\uDC00x',
  '\uFEFF',
  '\u202E',
  'é',
  '💥',
  'ﬃ',
  'İ',
  'null',
  'undefined',
  'true',
  'false',
  '0',
  '-1',
  '1e309',
  'NaN',
  '9007199254740993',
  '[]',
  '{}',
  '[object Object]',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
  '<script>alert(1)</script>',
  '"\'><img src=x>',
  '../../../etc/passwd',
  '..%2F..%2F',
  '/\\evil.example',
  'http://evil.example/cb',
  'https://evil.example@127.0.0.1/',
  'javascript:alert(1)',
  'data:text/html,<b>x</b>',
  'file:///etc/passwd',
  'http://[::1]:0/',
  'http://127.0.0.1:4444/cb#frag',
  '\r\nSet-Cookie: a=b',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '{{7*7}}',
  'S256',
  'plain',
  'code',
  'token',
  'openid offline_access',
];

/** Keys that poison or confuse objects built from input. */
export const POISON_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__proto__[admin]', 'constructor[prototype][x]', 'a[]', 'a[b]', 'a.b', ''];

/** A hostile string: short random text, full Unicode, a nasty constant, or a large run (≤ 20 KB). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY), weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: fc.constantFrom('%', '2', 'F', 'C', '0', 'z', '+', '&', '=', '\\', '/', '.'), maxLength: 30 }), weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom('a', '%', 'é', '\uD800', '0'), fc.integer({ min: 1000, max: 20_000 })).map(([c, n]) => c.repeat(n)), weight: 1 },
);

/** A known value: the first of the list (the deployment's canonical valid one) half the time, else any of them (the near misses). */
const knownValue = (values: readonly string[]): fc.Arbitrary<string> => fc.oneof(fc.constant(values[0]!), fc.constantFrom(...values));

/** A value for a parameter: mostly something valid in this deployment, else hostile. */
export function valueFor(name: string, known: RouteShape['known']): fc.Arbitrary<string> {
  const valid = Object.hasOwn(known, name) ? known[name]! : [];
  return valid.length > 0 ? fc.oneof({ arbitrary: knownValue(valid), weight: 3 }, { arbitrary: hostileString, weight: 2 }) : hostileString;
}

/** Name/value pairs: the route's own parameters (valid or hostile values), repeated ones, poison keys, junk names. */
export function paramPairs(shape: RouteShape): fc.Arbitrary<Array<[string, string]>> {
  const name = fc.oneof(
    { arbitrary: shape.params.length > 0 ? fc.constantFrom(...shape.params) : hostileString, weight: 6 },
    { arbitrary: fc.constantFrom(...POISON_KEYS), weight: 1 },
    { arbitrary: hostileString, weight: 1 },
  );
  const pair = name.chain((n) => valueFor(n, shape.known).map((v): [string, string] => [n, v]));
  // Often every parameter once with a mostly valid value, so the request gets deep into the handler.
  const complete = fc
    .tuple(...shape.params.map((p) => fc.option(valueFor(p, shape.known), { freq: 5, nil: undefined }).map((v) => [p, v] as const)))
    .map((pairs) => pairs.filter((p): p is readonly [string, string] => p[1] !== undefined).map(([n, v]): [string, string] => [n, v]));
  return fc.oneof(
    complete,
    oneMutation(shape),
    fc.array(pair, { maxLength: 12 }),
    fc.tuple(complete, fc.array(pair, { maxLength: 4 })).map(([a, b]) => [...a, ...b]),
  );
}

/** Every parameter with a valid value, then one of them replaced by a hostile value, dropped or sent twice: deep into the handler, one step off. */
function oneMutation(shape: RouteShape): fc.Arbitrary<Array<[string, string]>> {
  if (shape.params.length === 0) return fc.constant([]);
  const valid = (p: string): fc.Arbitrary<string> => (Object.hasOwn(shape.known, p) && shape.known[p]!.length > 0 ? knownValue(shape.known[p]!) : hostileString);
  const baseline = fc.tuple(...shape.params.map((p) => valid(p).map((v): [string, string] => [p, v])));
  return fc.tuple(baseline, fc.nat(shape.params.length - 1), fc.constantFrom('replace', 'drop', 'repeat', 'none'), hostileString).map(([pairs, index, how, hostile]) => {
    const target = pairs[index]!;
    if (how === 'replace') return pairs.map((pair, i): [string, string] => (i === index ? [pair[0], hostile] : pair));
    if (how === 'drop') return pairs.filter((_, i) => i !== index);
    if (how === 'repeat') return [...pairs, [target[0], hostile]];
    return pairs;
  });
}

/** Encodes pairs as a query or form string, properly or with raw hostile escapes. */
export function encodePairs(pairs: Array<[string, string]>): fc.Arbitrary<string> {
  const proper = new URLSearchParams(pairs).toString();
  const raw = pairs.map(([n, v]) => `${n}=${v}`).join('&');
  return fc.oneof(
    fc.constant(proper),
    fc.constant(raw),
    fc.constantFrom('&&', '&=&', '%', '=%zz', '&%C3%28=%ED%A0%80', ';a=b', '&a&a&a').map((junk) => `${proper}${junk}`),
  );
}

/** A JSON document nested `depth` levels deep (array or object nesting). */
const deepJson = fc
  .tuple(fc.integer({ min: 50, max: 5000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)));

/** JSON texts: the route's members with any JSON value, poison keys, deep nesting, wrong top-level types, broken JSON. */
export function jsonBody(shape: RouteShape): fc.Arbitrary<string> {
  const member = fc.oneof({ arbitrary: shape.params.length > 0 ? fc.constantFrom(...shape.params) : hostileString, weight: 5 }, { arbitrary: fc.constantFrom(...POISON_KEYS), weight: 2 });
  const value = fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
    { arbitrary: hostileString, weight: 2 },
    { arbitrary: fc.array(hostileString, { maxLength: 5 }), weight: 2 },
    { arbitrary: fc.constantFrom(null, true, 0, -1, 1e308, [], {}), weight: 1 },
  );
  const members = fc.array(fc.tuple(member, value), { maxLength: 10 });
  // Built as text: an object literal would turn a `__proto__` member into a prototype instead of a key the parser sees.
  const object = members.map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`);
  return fc.oneof(
    { arbitrary: object, weight: 6 },
    { arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'), weight: 2 },
    { arbitrary: deepJson, weight: 1 },
    { arbitrary: fc.constantFrom('', '{', '{"a":', '{"a":1}{"b":2}', '[1,]', "{'a':1}", 'NaN', '"\\ud800"', '{"__proto__":{"polluted":1}}', '\uFEFF{}', 'null', '1'), weight: 2 },
  );
}

/** multipart/form-data bodies, well-formed and broken, with the boundary the Content-Type should announce. */
export function multipartBody(shape: RouteShape): fc.Arbitrary<{ boundary: string; body: string }> {
  return fc
    .tuple(paramPairs(shape), fc.constantFrom('B0undary', 'x', '----WebKitFormBoundary7MA4YWxkTrZu0gW'), fc.constantFrom('ok', 'no-end', 'no-crlf', 'file', 'garbage', 'empty'))
    .map(([pairs, boundary, variant]) => {
      const parts = pairs.map(([n, v]) =>
        variant === 'file'
          ? `--${boundary}\r\nContent-Disposition: form-data; name="${n}"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n${v}\r\n`
          : `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`,
      );
      const body = parts.join('') + `--${boundary}--\r\n`;
      if (variant === 'no-end') return { boundary, body: parts.join('') };
      if (variant === 'no-crlf') return { boundary, body: body.replace(/\r\n/g, '\n') };
      if (variant === 'garbage') return { boundary, body: `--${boundary}\r\nnot a header\r\n${pairs.map(([, v]) => v).join('')}` };
      if (variant === 'empty') return { boundary, body: '' };
      return { boundary, body };
    });
}

const CHARSETS = ['', '; charset=utf-8', '; charset=UTF-16', '; charset=iso-8859-1', '; charset=bogus', '; charset="utf-8"', ';;;', '; boundary=', ' ; q=0'];

/** A Content-Type and a body that may or may not agree with it. */
export function contentAndBody(shape: RouteShape): fc.Arbitrary<{ type: string | undefined; body: string | Uint8Array | undefined }> {
  const charset = fc.constantFrom(...CHARSETS);
  const form = fc.tuple(paramPairs(shape).chain(encodePairs), charset, fc.constantFrom('application/x-www-form-urlencoded', 'APPLICATION/X-WWW-FORM-URLENCODED', ' application/x-www-form-urlencoded'));
  const json = fc.tuple(jsonBody(shape), charset, fc.constantFrom('application/json', 'application/json-patch+json', 'text/json'));
  const multipart = fc.tuple(multipartBody(shape), fc.constantFrom('ok', 'missing', 'wrong', 'quoted'));
  const anyType = fc.oneof(
    fc.constantFrom('text/plain', 'application/octet-stream', '', '*/*', 'multipart/form-data', 'multipart/mixed; boundary=x', 'application/xml', 'x'),
    hostileString.filter(isByteString).map((s) => s.slice(0, 200)),
  );
  const anyBody = fc.oneof(fc.uint8Array({ maxLength: 2048 }), hostileString, paramPairs(shape).chain(encodePairs), jsonBody(shape));
  const preferred = shape.body === 'json' ? 3 : 1;
  const preferredForm = shape.body === 'form' ? 3 : 1;
  return fc.oneof(
    { arbitrary: form.map(([body, cs, t]) => ({ type: `${t}${cs}`, body })), weight: preferredForm * 2 },
    { arbitrary: json.map(([body, cs, t]) => ({ type: `${t}${cs}`, body })), weight: preferred * 2 },
    {
      arbitrary: multipart.map(([{ boundary, body }, header]) => ({
        type:
          header === 'missing'
            ? 'multipart/form-data'
            : header === 'wrong'
              ? 'multipart/form-data; boundary=other'
              : header === 'quoted'
                ? `multipart/form-data; boundary="${boundary}"`
                : `multipart/form-data; boundary=${boundary}`,
        body,
      })),
      weight: 1,
    },
    { arbitrary: fc.tuple(fc.option(anyType, { nil: undefined }), fc.option(anyBody, { nil: undefined })).map(([type, body]) => ({ type, body })), weight: 2 },
    ...(shape.protocolBody ? [{ arbitrary: fc.tuple(shape.protocolBody, charset).map(([body, cs]) => ({ type: `application/json${cs}`, body })), weight: 12 }] : []),
  );
}

/** Header values a Request accepts: Latin-1 only (bytes ≥ 0x80 arrive as invalid UTF-8), no NUL, CR or LF. */
export const isByteString = (s: string): boolean => /^[\t\x20-\x7E\x80-\xFF]*$/.test(s);

const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.constantFrom(
    '',
    'null',
    'bearer',
    'Bearer',
    'Bearer ',
    'Basic',
    'Basic %%%',
    'Basic Og==',
    'Basic YTo=',
    'Basic OmI=',
    'Bearer a b',
    'Bearer ===',
    'DPoP x',
    '*/*',
    'text/html',
    'same-origin',
    'cross-site',
    'gzip',
    'chunked',
    '-1',
    '1e9',
    'abc',
    '\xff\xfe\x80',
  ),
  fc.integer({ min: 1000, max: 16_000 }).map((n) => 'v'.repeat(n)),
);

/** Headers a client may add: hostile values for the headers the servers read, plus odd names and duplicates. */
export function headerSet(shape: RouteShape): fc.Arbitrary<Array<[string, string]>> {
  const names = fc.constantFrom(
    'authorization',
    'cookie',
    'origin',
    'sec-fetch-site',
    'x-forwarded-for',
    'x-forwarded-proto',
    'host',
    'accept',
    'accept-language',
    'accept-encoding',
    'content-encoding',
    'transfer-encoding',
    'content-length',
    'x-csrf-token',
    'mcp-method',
    'mcp-name',
    'mcp-protocol-version',
    'mcp-session-id',
    'last-event-id',
    'user-agent',
    'referer',
    'x-http-method-override',
    '__proto__',
    'constructor',
    'x',
  );
  const hostile = fc.array(fc.tuple(names, headerValue), { maxLength: 6 });
  const credentials = shape.credentials.length > 0 ? fc.constantFrom(...shape.credentials).map((set) => set.map(([n, v]): [string, string] => [n, v])) : fc.constant([] as Array<[string, string]>);
  return fc.oneof({ arbitrary: credentials, weight: 3 }, { arbitrary: hostile, weight: 2 }, { arbitrary: fc.tuple(credentials, hostile).map(([a, b]) => [...a, ...b]), weight: 3 });
}

/**
 * A path with its `:params` filled with valid ids or hostile segments (raw escapes, traversal, encoded
 * slashes). A param with an alternation (Hono's `:action{allow|block}`) usually gets one of its
 * alternatives, so the handler behind it is reached, not only the router's 404.
 */
export function pathFor(shape: RouteShape): fc.Arbitrary<string> {
  const PARAM = /:([A-Za-z]+)(?:\{([^}]*)\})?/g;
  const params = [...shape.path.matchAll(PARAM)].map((m) => ({ name: m[1]!, alternatives: m[2]?.split('|') }));
  const segment = ({ name, alternatives }: { name: string; alternatives: string[] | undefined }) =>
    fc.oneof(
      { arbitrary: fc.constantFrom(...(alternatives ?? (Object.hasOwn(shape.known, name) ? shape.known[name]! : ['x']))), weight: 3 },
      { arbitrary: hostileString.map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, ''))), weight: 2 },
      { arbitrary: fc.constantFrom('%', '%zz', '%2F', '..', '.', '%2e%2e', '%00', '%C0%AF', '%ED%A0%80', 'a%2Fb', '%E2%80%AE', 'x'.repeat(5000)), weight: 2 },
    );
  return fc.tuple(...params.map(segment)).map((values) => {
    let i = 0;
    return shape.path.replace(PARAM, () => values[i++] ?? 'x');
  });
}

/** A hostile request to one route: method, path, query, headers and body. */
export function hostileRequest(shape: RouteShape): fc.Arbitrary<RequestSpec> {
  const method = fc.oneof({ arbitrary: fc.constant(shape.method), weight: 6 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 });
  const query = fc.oneof(
    { arbitrary: fc.constant(''), weight: shape.body === 'none' ? 1 : 3 },
    {
      arbitrary: paramPairs(shape)
        .chain(encodePairs)
        .map((q) => `?${q}`),
      weight: shape.body === 'none' ? 4 : 1,
    },
  );
  return fc.tuple(method, pathFor(shape), query, headerSet(shape), contentAndBody(shape)).map(([m, path, q, headers, { type, body }]) => {
    const all: Array<[string, string]> = type === undefined ? [...headers] : [['content-type', type], ...headers];
    const noBody = m.toUpperCase() === 'GET' || m.toUpperCase() === 'HEAD';
    return { method: m, target: `${path}${q}`, headers: all, ...(noBody || body === undefined ? {} : { body }) };
  });
}

/** The web Request for a spec; undefined when even a client library could not send it (a header Headers refuses). */
export function toRequest(origin: string, spec: RequestSpec): Request | undefined {
  const headers = new Headers();
  try {
    for (const [name, value] of spec.headers) headers.append(name, value);
  } catch {
    return undefined;
  }
  const body: BodyInit | undefined = typeof spec.body === 'string' || spec.body === undefined ? spec.body : new Uint8Array(spec.body);
  return new Request(`${origin}${spec.target}`, { method: spec.method, headers, ...(body === undefined ? {} : { body }) });
}

/** One line describing a spec, for failure reports (bodies truncated). */
export function describeSpec(spec: RequestSpec): string {
  const body = spec.body === undefined ? '' : typeof spec.body === 'string' ? spec.body : `<${spec.body.length} bytes>`;
  return `${spec.method} ${spec.target.slice(0, 300)} headers=${JSON.stringify(spec.headers.map(([n, v]) => [n, v.slice(0, 120)]))} body=${JSON.stringify(body.slice(0, 400))}`;
}
