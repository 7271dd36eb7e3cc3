/**
 * Property-based fuzzing of the real HTTP server (fast-check, bounded: ~750 requests per store), on every store:
 * SQLite + HNSW and PostgreSQL + pgvector (PGlite; test/helpers/stores.ts). The properties are written once; a
 * store brings an engine and a dump of everything it holds (test/helpers/store-dumps.ts). Malformed,
 * oversized, wrongly typed, deeply nested, non-UTF-8 and unicode-edge requests (lone surrogates, NUL, RTL,
 * combining marks, emoji) and path traversal (`..%2F..`, encoded slashes, `%00`) to every route:
 *   - the answer is always 2xx or a 4xx JSON `{error: {code, message}}` without stack traces, never a 5xx;
 *   - the server stays up;
 *   - requests that must not write leave the store's dump (SQLite: every table byte for byte; PostgreSQL: every
 *     table in primary-key order as row text, and the index definitions) and the vector counts unchanged;
 *   - valid unicode-edge documents round-trip exactly and are searchable.
 * Raw paths go through http.request (fetch would normalise `..` away). Seeds are random; a failure prints the
 * seed and path to replay (TAFUTA_FUZZ_SEED=<seed>); TAFUTA_FUZZ_SCALE multiplies the run counts;
 * TAFUTA_FUZZ_STATS=1 prints how often each status/code was seen; TAFUTA_TEST_STORES=sqlite (or postgres) runs one.
 * PGlite is single-threaded WASM answering one query at a time, and its socket server interleaves concurrent
 * connections (electric-sql/pglite#1046): the Postgres engine holds one connection and requests go one at a time.
 * The PostgreSQL run is POSTGRES_SCALE × the run counts: 1, as its properties took 12.8 s against SQLite's 9.7 s
 * (load 11 on 2 cores), plus PGlite's start-up, which every PostgreSQL test file pays.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import { COLLECTION_NAME_PATTERN } from '../../indexer/config.js';
import type { Engine } from '../../indexer/engine.js';
import { silentLogger } from '../../core/logger.js';
import { resolveSecurityConfig } from '../../server/config.js';
import { startWebServer, type RunningServer } from '../../server/start.js';
import { SAMPLE_DOCUMENTS, tempDir, testEngine } from '../helpers/engine.js';
import { sharedPgliteServer } from '../helpers/postgres.js';
import { dumpPostgresDatabase, dumpSqliteDatabase } from '../helpers/store-dumps.js';
import { postgresStore, testStores } from '../helpers/stores.js';

const SCALE = Number(process.env.TAFUTA_FUZZ_SCALE ?? 1);
/** The PostgreSQL run's share of the run counts (see the header: PGlite is single-threaded WASM). */
const POSTGRES_SCALE = 1;
const SEED = process.env.TAFUTA_FUZZ_SEED === undefined ? undefined : Number(process.env.TAFUTA_FUZZ_SEED);
const runsOf = (n: number) => ({ numRuns: Math.max(1, Math.round(n * SCALE)), ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true });

const BODY_LIMIT = 64 * 1024;
const STABLE = 'stable';
const SCRATCH = 'scratch';
/** Collections of your own vectors (encoder "none"): one that must not change, one the round-trip property fills. */
const OWN = 'own';
const OWN_SCRATCH = 'own-scratch';
const OWN_DIM = 4;
const OWN_DOCUMENTS = [
  { id: 'v-1', text: 'Maji safi.', vector: [1, 0, 0, 0] },
  { id: 'v-2', text: 'Mahindi ya masika.', vector: [0, 0.5, 0.5, 0] },
  { id: 'v-3', text: 'Ruwa mai tsabta.', vector: [-1, 0, 0, 3] },
];
/** Stands for a number JSON.stringify cannot write: replaced by 1e309 (which parses as Infinity) in the raw body. */
const OVERFLOW = '__1e309__';
const withOverflow = (body: Buffer) => Buffer.from(body.toString('utf8').replaceAll(`"${OVERFLOW}"`, '1e309'));
const ADMIN = 'fuzz-admin-key-0123456789';

// ---------------------------------------------------------------------------------------------- HTTP client

interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | undefined;
}
interface Received {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });

function send(base: string, r: Sent): Promise<Received> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: r.method,
        path: r.path,
        agent,
        headers: { ...(r.body ? { 'content-length': String(r.body.length) } : {}), ...r.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** 2xx, or a 4xx JSON error of the documented shape; never 5xx; never a stack trace. */
const statusSeen = new Map<string, number>();
/** The search page and its assets, which answer HTML, CSS and scripts rather than JSON. */
function isPagePath(path: string): boolean {
  const route = path.split('?')[0]!;
  return route === '/' || route.startsWith('/assets/');
}

function assertWellFormed(sent: Sent, res: Received): void {
  if (process.env.TAFUTA_FUZZ_STATS) {
    let code = String(res.status);
    try { code += ` ${(JSON.parse(res.text) as { error?: { code?: string } }).error?.code ?? ''}`; } catch { /* not JSON */ }
    statusSeen.set(code, (statusSeen.get(code) ?? 0) + 1);
  }
  const what = `${sent.method} ${sent.path} → ${res.status} ${res.text.slice(0, 300)}`;
  assert.ok(res.status >= 200 && res.status < 500, what);
  assert.ok(!/\n\s+at |node_modules|\.js:\d+/.test(res.text), `stack trace or source path in the response: ${what}`);
  if (sent.method === 'HEAD' || res.status === 204) return;
  if (res.status >= 400) {
    assert.match(String(res.headers['content-type']), /^application\/json/, what);
    const body = JSON.parse(res.text) as { error?: { code?: unknown; message?: unknown } };
    assert.deepEqual(Object.keys(body), ['error'], what);
    assert.equal(typeof body.error?.code, 'string', what);
    assert.equal(typeof body.error?.message, 'string', what);
  } else if (isPagePath(sent.path)) {
    // The search page (server/web.ts): HTML at /, its own assets.
    assert.match(String(res.headers['content-type']), /^(text\/html|text\/css|text\/javascript|application\/javascript|application\/json|image\/)/, what);
  } else if (!sent.path.startsWith('/metrics')) {
    assert.match(String(res.headers['content-type']), /^application\/json/, what);
    JSON.parse(res.text);
  }
}

// ---------------------------------------------------------------------------------------------- generators

/** Characters that break naive text handling. */
const EDGE = [
  '\u0000', '\u0001', '\u202E', '\u200F', '\u061C', '\u0301', '\u0364', '\uFEFF', '\u200D', '\u200B', '\u00AD', '\u3000',
  '\uD800', '\uDFFF', '\uDBFF\uDFFF', '\uFFFF', '\uFFFE', '\uFFFD', '👩‍👩‍👧', '🇹🇿', '🏽', '𝔘', 'ẞ', 'İ', 'ǅ', 'ﷺ', 'ꦲ', 'ا',
  'ሰላም', 'ཀ', 'ລາວ', 'e\u0301', '\n', '\r\n', '\t', '"', '\\', "'", '*', '%', '?', '#', '/', '..', 'NEAR(', ' AND ', ' OR ',
  ' NOT ', '(', ')', ':', '^', '-', '+', '{', '}', '[', ']', 'maji', 'safi', 'water', ' ',
];
const edgeString = fc.array(fc.constantFrom(...EDGE), { maxLength: 12 }).map((parts) => parts.join(''));
const anyString = fc.oneof(edgeString, fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 20 }));
const hasLoneSurrogate = (s: string) => /\p{Surrogate}/u.test(s);

/** Percent-encodes a path segment; lone surrogates become their (invalid) 3-byte UTF-8 forms. */
function encodeSegment(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(ch);
    }
  }
  return out;
}

/** Raw (already encoded) segments aimed at traversal and decoding bugs. */
const HOSTILE_SEGMENTS = [
  '..', '.', '%2e%2e', '%2E%2E%2F', '..%2F..', '..%2f..%2f..%2fetc%2fpasswd', '..%5C..%5C', '%00', 'stable%00', `${STABLE}%2F..%2F${SCRATCH}`,
  '%2F', '%252e%252e%252f', '%C0%AE%C0%AE', '%ED%A0%80', '%FF%FE', '%', '%zz', '%E2%80%AE', '..;', `${STABLE}/..`, '.%2e',
  encodeURIComponent('../../tafuta.db'), encodeURIComponent('../indexes/stable.hnsw'), 'indexes', 'tafuta.db', 'CON', 'x'.repeat(300),
  'sw-1%00', 'sw-1%2F..', '%20', '~', '-', '_',
];
const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
  { weight: 2, arbitrary: anyString.map(encodeSegment) },
  { weight: 1, arbitrary: fc.constantFrom(STABLE, SCRATCH, OWN, 'sw-1', 'en-1') },
);
const queryString = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(anyString.map(encodeSegment), anyString.map(encodeSegment)), { maxLength: 4 }).map((kv) => `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`),
  fc.constantFrom('?a[b][c][d]=1', '?k=1&k=2&k=3', '?%ZZ', `?${'q='.repeat(500)}`, '?__proto__[x]=1'),
);

const templates: Array<(s: [string, string]) => string> = [
  () => '/healthz',
  () => '/v1/info',
  () => '/metrics',
  () => '/openapi.json',
  () => '/v1/collections',
  ([n]) => `/v1/collections/${n}`,
  ([n]) => `/v1/collections/${n}/documents`,
  ([n, id]) => `/v1/collections/${n}/documents/${id}`,
  ([n]) => `/v1/collections/${n}/search`,
  ([n, id]) => `/v1/${n}/${id}`,
  ([n]) => `/${n}`,
  () => '//v1//collections//',
  () => '/v1/collections/',
];
const anyPath = fc
  .tuple(fc.integer({ min: 0, max: templates.length - 1 }), segment, segment, queryString)
  .map(([t, a, b, q]) => templates[t]!([a, b]) + q);

const deep = (n: number, open: string, close: string, inner = '1') => open.repeat(n) + inner + close.repeat(n);
const json = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');

/** Bodies that are wrong in every way the wire allows. */
const hostileBody: fc.Arbitrary<Buffer | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 4 }).map(json),
  fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: false }).map((v) => Buffer.from(String(JSON.stringify(v) ?? 'undefined'))),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.integer({ min: 50, max: 20_000 }).map((n) => Buffer.from(deep(n, '[', ']'))),
  fc.integer({ min: 50, max: 10_000 }).map((n) => Buffer.from(deep(n, '{"a":', '}'))),
  fc.integer({ min: 1, max: 3000 }).map((n) => Buffer.from(`{"query":${deep(n, '[', ']')}}`)),
  fc.integer({ min: BODY_LIMIT + 1, max: 3 * BODY_LIMIT }).map((n) => Buffer.from(JSON.stringify({ query: 'a'.repeat(n) }))),
  fc.jsonValue({ maxDepth: 3 }).map((v) => {
    const s = JSON.stringify({ query: 'maji', v });
    return Buffer.from(s.slice(0, Math.max(1, Math.floor(s.length / 2)))); // truncated
  }),
  fc.tuple(anyString, fc.uint8Array({ minLength: 1, maxLength: 4 })).map(([s, bytes]) =>
    Buffer.concat([Buffer.from(`{"query":"${s.replace(/["\\]/g, '')}`), Buffer.from([0xff, ...bytes]), Buffer.from('"}')]),
  ),
);

const kValue = fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.double(), fc.string({ maxLength: 5 }), fc.constantFrom(1e309, -0, 1.5, '10', null, [], {}, true));
/** Where documents (Chroma operators), valid and not: operators on keys, logical nesting, wrong operand types. */
const filterOperand = fc.oneof(
  fc.constantFrom(2024, '2024', true, false, null, 0.5, 'health', -0, 1e308),
  anyString,
  fc.array(fc.oneof(fc.integer(), anyString, fc.boolean()), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const operatorObject = fc.dictionary(fc.constantFrom('$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$regex', '$and'), filterOperand, { maxKeys: 3 });
const { where: whereDocument } = fc.letrec((tie) => ({
  where: fc.dictionary(
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom('topic', 'year', 'reviewed', 'no.such', '$and', '$or', '$not', '$xor') }, { weight: 1, arbitrary: anyString }),
    fc.oneof({ maxDepth: 4, depthSize: 'small' }, filterOperand, operatorObject, tie('where'), fc.array(tie('where'), { maxLength: 3 })),
    { maxKeys: 3 },
  ),
}));
const filterBody = fc.oneof(
  fc.record({ lang: fc.oneof(fc.constantFrom('sw', 'en'), fc.array(fc.constantFrom('sw', 'ha', 'xx', '!'), { maxLength: 60 })), metadata: fc.oneof(whereDocument, fc.dictionary(anyString, fc.oneof(anyString, fc.integer(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 })), { maxKeys: 4 })) }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Vectors of the own-vector collection's dim and of others, finite and not, zero, wrongly typed. */
const finiteNumber = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(0, -0, 1e-320, 1.7976931348623157e308));
const vectorValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.array(finiteNumber, { minLength: OWN_DIM, maxLength: OWN_DIM }) },
  { weight: 2, arbitrary: fc.array(finiteNumber, { maxLength: 70 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(finiteNumber, fc.constantFrom<unknown>(OVERFLOW, null, '1', true, [1], {})), { minLength: OWN_DIM, maxLength: OWN_DIM }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([0, 0, 0, 0], [], null, '1,0,0,0', 1, { 0: 1 }, Array.from({ length: 4097 }, () => 1)) },
);

const searchBody = fc
  .record(
    {
      query: fc.oneof({ weight: 4, arbitrary: anyString }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }, { weight: 1, arbitrary: fc.constant('x'.repeat(4097)) }),
      vector: vectorValue,
      k: kValue,
      mode: fc.oneof(fc.constantFrom('dense', 'bm25', 'hybrid'), anyString),
      lang: fc.oneof(fc.constantFrom('sw', 'en', 'am', 'zz', 'sw-TZ'), anyString),
      filter: filterBody,
      offset: fc.oneof(fc.integer({ min: -2, max: 1200 }), fc.constantFrom('5', 1.5, null, 999)),
      group_by: fc.oneof(fc.constant('document'), anyString, fc.jsonValue({ maxDepth: 1 })),
      highlight: fc.oneof(fc.boolean(), fc.constantFrom('true', 1, 0, null, {}, [])),
      extra: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  )
  .map((body) => withOverflow(json(body)));

const contentType = fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '');
const encodingHeader = fc.constantFrom(undefined, undefined, undefined, 'gzip', 'br', 'identity', 'x-bogus');

function headersOf(type: string | undefined, encoding: string | undefined): Record<string, string> {
  return { ...(type !== undefined ? { 'content-type': type } : {}), ...(encoding !== undefined ? { 'content-encoding': encoding } : {}) };
}

/** Requests that must never write: GET/HEAD anywhere, searches, and wrong methods. */
const readOnlyRequest: fc.Arbitrary<Sent> = fc.oneof(
  fc.record({ method: fc.constantFrom('GET', 'HEAD'), path: anyPath, body: hostileBody, type: contentType, enc: encodingHeader }),
  fc.record({
    method: fc.constant('POST'),
    path: fc.tuple(fc.oneof(fc.constantFrom(STABLE, OWN), segment), queryString).map(([n, q]) => `/v1/collections/${n}/search${q}`),
    body: fc.oneof({ weight: 3, arbitrary: searchBody }, { weight: 1, arbitrary: hostileBody }),
    type: contentType,
    enc: encodingHeader,
  }),
  fc.record({
    method: fc.constant('GET'),
    path: fc
      .tuple(
        fc.oneof(fc.constant(STABLE), segment),
        fc.option(fc.oneof(fc.integer({ min: -5, max: 2000 }).map(String), anyString), { nil: undefined }),
        fc.option(fc.oneof(fc.constantFrom('ZDM', 'ZDA', 'ZC0x', 'abc', ''), anyString), { nil: undefined }),
        fc.option(fc.oneof(filterBody.map((f) => JSON.stringify(f)), anyString), { nil: undefined }),
      )
      .map(([n, limit, cursor, filter]) => {
        const params = Object.entries({ limit, cursor, filter }).filter(([, v]) => v !== undefined);
        return `/v1/collections/${n}/documents${params.length ? '?' : ''}${params.map(([k, v]) => `${k}=${encodeSegment(v!)}`).join('&')}`;
      }),
    body: fc.constant(undefined),
    type: contentType,
    enc: fc.constant(undefined),
  }),
  fc.record({ method: fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'TRACE'), path: anyPath, body: hostileBody, type: contentType, enc: encodingHeader }),
  fc.record({ method: fc.constantFrom('POST', 'DELETE'), path: fc.constantFrom('/healthz', '/v1/info', '/metrics', '/openapi.json', `/v1/collections/${STABLE}/search`), body: hostileBody, type: contentType, enc: fc.constant(undefined) }),
).map(({ method, path, body, type, enc }) => ({ method, path, body, headers: headersOf(type, enc) }));

/** Documents that are invalid, each in at least one way. */
const invalidDocument: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant({ id: '', text: 'maji' }),
  fc.constant({ id: 'x'.repeat(513), text: 'maji' }),
  fc.constant({ text: 'hakuna id' }),
  fc.constant({ id: 'no-text' }),
  fc.record({ id: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string())), text: fc.constant('maji') }),
  fc.record({ id: fc.constant('t'), text: fc.oneof(fc.constantFrom('', '   ', '\u3000\uFEFF\n'), fc.integer(), fc.constant(null)) }),
  fc.record({ id: fc.constant('l'), text: fc.constant('maji'), lang: fc.constantFrom('english!', 's', '', 'sw_', 'x'.repeat(30)) }),
  fc.record({ id: fc.constant('m'), text: fc.constant('maji'), metadata: fc.oneof(fc.constant('string'), fc.constant([1, 2]), fc.constant({ 'bad key': 1 }), fc.constant({ '': 1 })) }),
  fc.constant(JSON.parse('{"id":"p","text":"maji","metadata":{"__proto__":{"polluted":true}}}') as unknown),
  fc.constant({ id: 'c', text: 'maji', metadata: { constructor: 1 } }),
  fc.integer({ min: 9, max: 40 }).map((n) => ({ id: 'd', text: 'maji', metadata: { a: JSON.parse(deep(n, '{"a":', '}')) as unknown } })),
  fc.constant({ id: 'k', text: 'maji', metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) }),
  fc.constant({ id: 'e', text: 'maji', extra: true }),
  fc.constant({ id: 't2', text: 'maji', title: 5 }),
  fc.constant({ id: 't3', text: 'maji', title: 'x'.repeat(2049) }),
  fc.constant({ id: 'x\uD800', text: 'maji' }),
  // Ids an HTTP client rewrites as a path segment (dot segments, also percent-spelled) or strips from a URL (controls).
  fc.record({ id: fc.constantFrom('.', '..', '%2e', '%2E%2e', '.%2e', 'a\u0000b', 'tab\there', 'new\nline', '\u007f', '\u0085'), text: fc.constant('maji') }),
  fc.constant({ id: 'y', text: 'maji \uDFFF' }),
  fc.constant({ id: 'z', text: 'maji', metadata: { 'a\uD83D': 1 } }),
  fc.anything({ maxDepth: 2 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
);
/** Documents for the own-vector collection, each invalid in at least one way. */
const invalidOwnDocument: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ id: fc.constant('w'), text: fc.constant('maji') }),
  fc.record({
    id: fc.constant('w'),
    text: fc.constant('maji'),
    vector: vectorValue.filter((v) => !Array.isArray(v) || v.length !== OWN_DIM || !v.every((x) => typeof x === 'number') || v.every((x) => x === 0)),
  }),
  fc.record({ id: fc.constant('w'), text: fc.constant('maji'), vector: fc.array(finiteNumber, { minLength: OWN_DIM, maxLength: OWN_DIM }).map((v) => v.map((x, i) => (i === 1 ? OVERFLOW : x))) }),
  fc.record({ id: fc.constant('w'), text: fc.constantFrom('', '   '), vector: fc.constant([1, 0, 0, 0]) }),
);
/** Valid replacements for stored documents: if a batch holding them were wrongly accepted, stored data would change. */
const changingDocument = fc.record({ id: fc.constantFrom(...SAMPLE_DOCUMENTS.map((d) => d.id)), text: edgeString.filter((t) => t.trim() !== '' && !hasLoneSurrogate(t)) });
const nonZeroVector = fc.array(finiteNumber, { minLength: OWN_DIM, maxLength: OWN_DIM }).filter((v) => v.some((x) => x !== 0));
const changingOwnDocument = fc.record({ id: fc.constantFrom(...OWN_DOCUMENTS.map((d) => d.id)), text: fc.constantFrom('Maji machafu.', 'Mpya'), vector: nonZeroVector });

const existingIds = new Set<string>([STABLE, SCRATCH, ...SAMPLE_DOCUMENTS.map((d) => d.id)]);
function decodesToExisting(raw: string): boolean {
  try {
    return existingIds.has(decodeURIComponent(raw));
  } catch {
    return false;
  }
}
const nonExisting = segment.filter((s) => !decodesToExisting(s) && !s.includes('/') && s !== '' && s !== '.' && s !== '..');

/** Write requests that must be rejected and change nothing. */
const rejectedWrite: fc.Arbitrary<Sent> = fc.oneof(
  fc
    .tuple(fc.array(changingDocument, { maxLength: 4 }), fc.array(invalidDocument, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 6 }))
    .map(([valid, invalid, at]) => {
      const documents: unknown[] = [...valid];
      for (const d of invalid) documents.splice(Math.min(at, documents.length), 0, d);
      return { method: 'POST', path: `/v1/collections/${STABLE}/documents`, body: json({ documents }) };
    }),
  fc.array(changingDocument, { minLength: 1, maxLength: 3 }).map((docs) => {
    // A valid batch with raw non-UTF-8 bytes spliced into the last text.
    const s = JSON.stringify({ documents: docs });
    const at = s.lastIndexOf('"}');
    return { method: 'POST', path: `/v1/collections/${STABLE}/documents`, body: Buffer.concat([Buffer.from(s.slice(0, at)), Buffer.from([0xc3, 0x28]), Buffer.from(s.slice(at))]) };
  }),
  fc.array(changingDocument, { minLength: 1, maxLength: 2 }).map((docs) => ({
    method: 'POST',
    path: `/v1/collections/${STABLE}/documents`,
    body: json({ documents: docs.map((d) => ({ ...d, text: `${d.text} ${'maji '.repeat(BODY_LIMIT / 4)}` })) }), // over the body limit
  })),
  fc.constant({ method: 'POST', path: `/v1/collections/${STABLE}/documents`, body: json({ documents: Array.from({ length: 1001 }, (_, i) => ({ id: `n${i}`, text: 'x' })) }) }),
  fc
    .tuple(fc.array(changingOwnDocument, { maxLength: 3 }), fc.array(invalidOwnDocument, { minLength: 1, maxLength: 2 }), fc.integer({ min: 0, max: 4 }))
    .map(([valid, invalid, at]) => {
      const documents: unknown[] = [...valid];
      for (const d of invalid) documents.splice(Math.min(at, documents.length), 0, d);
      return { method: 'POST', path: `/v1/collections/${OWN}/documents`, body: withOverflow(json({ documents })) };
    }),
  // A vector on a document of a collection with an encoder.
  fc.tuple(changingDocument, nonZeroVector).map(([d, vector]) => ({ method: 'POST', path: `/v1/collections/${STABLE}/documents`, body: json({ documents: [{ ...d, vector }] }) })),
  fc.constant({ method: 'POST', path: `/v1/collections/${STABLE}/documents`, body: json({ documents: [{ id: 'sw-1', text: 'a' }, { id: 'sw-1', text: 'b' }] }) }),
  fc.tuple(hostileBody, contentType).map(([body, type]) => ({ method: 'POST', path: `/v1/collections/${STABLE}/documents`, body, headers: headersOf(type, undefined) })).filter((r) => {
    // Anything hostileBody makes is invalid for an upsert, except by freak chance a valid batch.
    try {
      return !Array.isArray((JSON.parse(r.body?.toString('utf8') ?? 'null') as { documents?: unknown } | null)?.documents);
    } catch {
      return true;
    }
  }),
  fc.tuple(nonExisting, queryString).map(([n, q]) => ({ method: 'DELETE', path: `/v1/collections/${n}${q}` })),
  fc.tuple(nonExisting, queryString).map(([id, q]) => ({ method: 'DELETE', path: `/v1/collections/${STABLE}/documents/${id}${q}` })),
  fc.tuple(nonExisting, nonExisting).map(([n, id]) => ({ method: 'DELETE', path: `/v1/collections/${n}/documents/${id}` })),
  fc.tuple(nonExisting, fc.array(changingDocument, { minLength: 1, maxLength: 2 })).map(([n, documents]) => ({ method: 'POST', path: `/v1/collections/${n}/documents`, body: json({ documents }) })),
  fc
    .oneof(anyString, fc.constantFrom('../../etc', '..', '.', 'a/b', 'a\u0000', 'x'.repeat(65), '-lead', '_lead', 'con\\x'), fc.jsonValue({ maxDepth: 2 }))
    .filter((name) => typeof name !== 'string' || !COLLECTION_NAME_PATTERN.test(name))
    .chain((name) => fc.record({ name: fc.constant(name), config: fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 })) }))
    .map((body) => ({ method: 'POST', path: '/v1/collections', body: json(body) })),
  fc.record({ name: fc.constantFrom('new-ok'), config: fc.oneof(fc.jsonValue({ maxDepth: 3 }).filter((c) => c !== null && typeof c !== 'object'), fc.constant({ hnsw: { M: 1 } }), fc.constant({ passages: { maxChars: 100, overlapChars: 100 } }), fc.constant({ hnsw: { ef: '64' } }), fc.constant({ bogus: 1 })) }).map((body) => ({ method: 'POST', path: '/v1/collections', body: json(body) })),
  fc.constant({ method: 'POST', path: '/v1/collections', body: json({ name: STABLE }) }),
  fc
    .oneof(
      fc.record({ encoder: fc.constant('none'), dim: fc.oneof(fc.constantFrom<unknown>(undefined, 0, -1, 4097, 1.5, '8', null, OVERFLOW), fc.jsonValue({ maxDepth: 1 }).filter((d) => typeof d !== 'number')) }),
      fc.record({ encoder: fc.oneof(fc.constant(undefined), fc.constant('hashed-ngram-v1'), anyString.filter((e) => e !== 'none')), dim: fc.integer({ min: 1, max: 4096 }) }),
      fc.record({ encoder: fc.constant('none'), dim: fc.integer({ min: 1, max: 4096 }), config: fc.constantFrom({ passages: { maxChars: 300 } }, { passages: {} }) }),
    )
    .map((fields) => ({ method: 'POST', path: '/v1/collections', body: withOverflow(json({ name: 'new-ok', ...fields })) })),
  fc
    .tuple(
      fc.constantFrom(...SAMPLE_DOCUMENTS.map((d) => d.id)),
      fc.oneof(
        fc.constantFrom<unknown>({}, { text: 'mpya' }, { lang: 'sw' }, { title: 5 }, { title: 'x'.repeat(2049) }, { metadata: 'x' }, { metadata: [1] }, { metadata: { 'a b': 1 } }, { title: 'ok', extra: 1 }),
        fc.record({ metadata: fc.integer({ min: 9, max: 40 }).map((n) => ({ a: JSON.parse(deep(n, '{"a":', '}')) as unknown })) }),
        fc.anything({ maxDepth: 2 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
      ),
    )
    .map(([id, body]) => ({ method: 'PATCH', path: `/v1/collections/${STABLE}/documents/${id}`, body: json(body) })),
  fc.tuple(nonExisting, fc.constantFrom({ title: 'x' }, { metadata: { a: 1 } })).map(([id, body]) => ({ method: 'PATCH', path: `/v1/collections/${STABLE}/documents/${id}`, body: json(body) })),
  fc
    .oneof(
      fc.constantFrom<unknown>({}, { filter: {} }, { filter: { metadata: {} } }, { ids: [] }, { ids: ['sw-1'], filter: { lang: 'sw' } }, { filter: { metadata: { year: '2024' } } }, { filter: { metadata: { reviewed: { $gt: 1 } } } }, { where: { topic: 'health' } }),
      fc.record({ filter: fc.record({ metadata: fc.constantFrom({ topic: { $regex: '.*' } }, { $xor: [{ topic: 'health' }] }, { year: { $in: [2024, '2024'] } }) }) }),
      hostileBody.map((b) => ({ raw: b?.toString('utf8') })),
    )
    .map((body) => ({ method: 'POST', path: `/v1/collections/${STABLE}/documents/delete`, body: json(body) })),
);

// ---------------------------------------------------------------------------------------------- stores

/**
 * What the properties need of a store: an engine over it (empty), and everything it holds serialised exactly, to
 * compare before and after requests that must not write.
 */
interface FuzzStore {
  name: 'sqlite' | 'postgres';
  /** Multiplies the run counts (on top of TAFUTA_FUZZ_SCALE). */
  scale: number;
  open(root: string): Promise<{ engine: Engine; dump(): Promise<string> }>;
}

const sqliteFuzzStore: FuzzStore = {
  name: 'sqlite',
  scale: 1,
  async open(root) {
    const dataDir = path.join(root, 'data');
    return { engine: testEngine(dataDir), dump: async () => dumpSqliteDatabase(path.join(dataDir, 'tafuta.db')) };
  },
};

const postgresFuzzStore: FuzzStore = {
  name: 'postgres',
  scale: POSTGRES_SCALE,
  async open() {
    const engine = await postgresStore.freshEngine();
    const { url } = await sharedPgliteServer();
    return { engine, dump: () => dumpPostgresDatabase(url) };
  },
};

interface HighlightedResult {
  id: string;
  text: string;
  highlights: { terms?: Array<{ start: number; end: number }>; sentence?: { start: number; end: number } };
}

/** Highlight spans lie inside their text, are not empty, and never split a surrogate pair; grouped results have unique ids. */
function assertHighlightsInside(body: { results: HighlightedResult[] }, grouped: boolean): void {
  if (grouped) assert.equal(new Set(body.results.map((r) => r.id)).size, body.results.length, 'one result per document');
  for (const r of body.results) {
    for (const span of [...(r.highlights.terms ?? []), ...(r.highlights.sentence ? [r.highlights.sentence] : [])]) {
      assert.ok(Number.isInteger(span.start) && span.start >= 0 && span.start < span.end && span.end <= r.text.length, JSON.stringify({ span, text: r.text }));
      assert.ok(!hasLoneSurrogate(r.text.slice(span.start, span.end)), `a span splits a surrogate pair: ${JSON.stringify({ span, text: r.text })}`);
    }
  }
}

/** Files under the test's root (the SQLite data directory, and a file no request may touch). */
function listTree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => !/tafuta\.db-(wal|shm)$/.test(f)).sort();
}

after(async () => {
  agent.destroy();
  await postgresStore.stop();
});

const fuzzStores = [sqliteFuzzStore, postgresFuzzStore].filter((s) => testStores().some((t) => t.name === s.name));

for (const store of fuzzStores) describe(`HTTP fuzzing (${store.name} store)`, () => {
  const runs = (n: number) => runsOf(n * store.scale);
  let root: string;
  let engine: Engine;
  let dump: () => Promise<string>;
  let server: RunningServer;
  let keyed: RunningServer;

  /** Document, passage and vector counts of the collections that must not change. */
  const counts = async () => {
    const c = await engine.getCollection(STABLE);
    return { documents: c.documents, passages: c.passages, indexedVectors: c.indexedVectors };
  };
  const ownCounts = async () => {
    const c = await engine.getCollection(OWN);
    return { documents: c.documents, passages: c.passages, indexedVectors: c.indexedVectors };
  };
  const stateOf = async () => ({ store: await dump(), counts: await counts(), own: await ownCounts(), tree: listTree(root) });

  before(async () => {
    root = tempDir('tafuta-fuzz-');
    ({ engine, dump } = await store.open(root));
    await engine.createCollection(STABLE);
    await engine.createCollection(SCRATCH);
    await engine.upsertDocuments(STABLE, SAMPLE_DOCUMENTS);
    await engine.createCollection(OWN, { encoder: 'none', dim: OWN_DIM });
    await engine.createCollection(OWN_SCRATCH, { encoder: 'none', dim: OWN_DIM });
    await engine.upsertDocuments(OWN, OWN_DOCUMENTS);
    engine.saveIndexes();
    fs.writeFileSync(path.join(root, 'victim.txt'), 'must survive');
    const common = { engine, logger: silentLogger, version: 'fuzz', host: '127.0.0.1', port: 0, bodyLimit: `${BODY_LIMIT}b` };
    server = await startWebServer(common);
    keyed = await startWebServer({ ...common, security: resolveSecurityConfig({ adminKey: ADMIN, rateLimit: 0 }) });
  });

  after(async () => {
    await server.stop();
    await keyed.stop();
    await engine.close();
    if (process.env.TAFUTA_FUZZ_STATS) console.log(`${store.name}:\n${[...statusSeen].sort().map(([k, v]) => `${k}: ${v}`).join('\n')}`);
    statusSeen.clear();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('read-only requests of every shape: never 5xx, and stored data is byte-for-byte unchanged', async () => {
    const before = await stateOf();
    await fc.assert(
      fc.asyncProperty(readOnlyRequest, async (sent) => {
        assertWellFormed(sent, await send(server.url, sent));
      }),
      runs(300),
    );
    assert.deepEqual(await stateOf(), before);
    assert.equal((await send(server.url, { method: 'GET', path: '/healthz' })).status, 200, 'still up');
  });

  test('invalid writes and path traversal: always 4xx, nothing written, nothing deleted, no file touched', async () => {
    const before = await stateOf();
    await fc.assert(
      fc.asyncProperty(rejectedWrite, async (sent) => {
        const res = await send(server.url, sent);
        assertWellFormed(sent, res);
        assert.ok(res.status >= 400, `a write that must be rejected was accepted: ${sent.method} ${sent.path} → ${res.status} ${res.text.slice(0, 200)}`);
      }),
      runs(250),
    );
    assert.deepEqual(await stateOf(), before);
    assert.equal(fs.readFileSync(path.join(root, 'victim.txt'), 'utf8'), 'must survive');
    assert.equal((await send(server.url, { method: 'GET', path: '/healthz' })).status, 200, 'still up');
  });

  test('fixed traversal and encoding cases answer as specified', async () => {
    const cases: Array<[string, string, number]> = [
      ['DELETE', `/v1/collections/..%2F..%2F${STABLE}`, 404],
      ['DELETE', `/v1/collections/${STABLE}%00`, 404],
      ['DELETE', `/v1/collections/${STABLE}/documents/..%2Fsw-1`, 404],
      ['DELETE', `/v1/collections/${STABLE}/documents/sw-1%00`, 404],
      ['GET', `/v1/collections/${STABLE}/documents/%2E%2E%2F%2E%2E%2Ftafuta.db`, 404],
      ['GET', `/v1/collections/%ED%A0%80`, 400], // a surrogate in UTF-8: not decodable
      ['GET', `/v1/collections/%FF`, 400],
      ['GET', `/v1/collections/%zz`, 400],
      ['GET', `/v1/collections/${STABLE}/documents/%C0%AE%C0%AE`, 400], // overlong "..": not decodable
      ['OPTIONS', '/', 405], // the page answers OPTIONS as the API does, not with Express's text/plain "GET, HEAD"
      ['OPTIONS', '/v1/collections', 405],
    ];
    for (const [method, p, status] of cases) {
      const res = await send(server.url, { method, path: p });
      assertWellFormed({ method, path: p }, res);
      assert.equal(res.status, status, `${method} ${p}: ${res.text}`);
    }
    const lone = await send(server.url, { method: 'POST', path: `/v1/collections/${STABLE}/search`, body: Buffer.from('{"query":"maji \\ud800"}') });
    assert.equal(lone.status, 400);
    assert.equal((JSON.parse(lone.text) as { error: { code: string } }).error.code, 'INVALID_ENCODING');
    assert.equal((await engine.getCollection(STABLE)).documents, SAMPLE_DOCUMENTS.length);
  });

  test('valid unicode-edge documents (NUL, RTL, combining marks, emoji; traversal-like ids that no client rewrites) round-trip exactly and are searchable', async () => {
    const text = edgeString.filter((t) => t.trim() !== '' && !hasLoneSurrogate(t) && t.length <= 500);
    const addressable = (s: string) => !/^(?:\.|%2e){1,2}$/i.test(s) && !/[\u0000-\u001f\u007f-\u009f]/.test(s);
    const id = fc
      .oneof(edgeString, fc.constantFrom('../../etc/passwd', '...', '..a', 'a/..', 'a/b', '%2F', '%2e%2e%2f', '\u202Eevil'))
      .filter((s) => s !== '' && s.length <= 512 && !hasLoneSurrogate(s) && addressable(s));
    const documents = fc.uniqueArray(fc.record({ id, text, title: fc.option(text, { nil: undefined }) }, { requiredKeys: ['id', 'text'] }), { selector: (d) => d.id, minLength: 1, maxLength: 4 });
    const stored = new Map<string, { id: string; text: string; title?: string }>();
    await fc.assert(
      fc.asyncProperty(documents, fc.constantFrom('dense', 'bm25', 'hybrid'), fc.boolean(), async (docs, mode, grouped) => {
        const up = { method: 'POST', path: `/v1/collections/${SCRATCH}/documents`, body: json({ documents: docs }) };
        const res = await send(server.url, up);
        assertWellFormed(up, res);
        assert.equal(res.status, 200, res.text);
        for (const d of docs) {
          stored.set(d.id, d);
          const got = await send(server.url, { method: 'GET', path: `/v1/collections/${SCRATCH}/documents/${encodeSegment(d.id)}` });
          assert.equal(got.status, 200, `GET ${JSON.stringify(d.id)}: ${got.text}`);
          const body = JSON.parse(got.text) as { id: string; text: string; title: string | null };
          assert.equal(body.id, d.id);
          assert.equal(body.text, d.text, 'text round-trips exactly');
          assert.equal(body.title, d.title ?? null);
          const search = { method: 'POST', path: `/v1/collections/${SCRATCH}/search`, body: json({ query: d.text, mode, k: 5, highlight: true, ...(grouped ? { group_by: 'document' } : {}) }) };
          const found = await send(server.url, search);
          assertWellFormed(search, found);
          assert.equal(found.status, 200, found.text);
          assertHighlightsInside(JSON.parse(found.text) as { results: HighlightedResult[] }, grouped);
        }
      }),
      runs(100),
    );
    const scratch = await engine.getCollection(SCRATCH);
    assert.equal(scratch.documents, stored.size);
    assert.equal(scratch.indexedVectors, scratch.passages, 'the vector index agrees with the passages');
    assert.deepEqual(await counts(), { documents: SAMPLE_DOCUMENTS.length, passages: SAMPLE_DOCUMENTS.length, indexedVectors: SAMPLE_DOCUMENTS.length });
  });

  test('valid own vectors (any finite, non-zero numbers) round-trip as unit vectors and find their document by cosine 1', async () => {
    const ownBefore = await engine.getCollection(OWN);
    const documents = fc.uniqueArray(fc.record({ id: fc.stringMatching(/^[a-z0-9]{1,8}$/), text: fc.constantFrom('maji', 'Mahindi ya masika.', '👩‍👩‍👧 ሰላም'), vector: nonZeroVector }), { selector: (d) => d.id, minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(documents, async (docs) => {
        const up = { method: 'POST', path: `/v1/collections/${OWN_SCRATCH}/documents`, body: json({ documents: docs }) };
        const res = await send(server.url, up);
        assertWellFormed(up, res);
        assert.equal(res.status, 200, res.text);
        for (const d of docs) {
          const got = JSON.parse((await send(server.url, { method: 'GET', path: `/v1/collections/${OWN_SCRATCH}/documents/${d.id}` })).text) as { vector: number[] };
          const length = Math.hypot(...got.vector);
          assert.ok(Math.abs(length - 1) < 1e-6, `unit length, got ${length} for ${JSON.stringify(d.vector)}`);
          const search = { method: 'POST', path: `/v1/collections/${OWN_SCRATCH}/search`, body: json({ vector: d.vector, k: 1000, ef: 4096 }) };
          const found = await send(server.url, search);
          assertWellFormed(search, found);
          const hit = (JSON.parse(found.text) as { results: Array<{ id: string; score: number }> }).results.find((r) => r.id === d.id);
          assert.ok(hit && hit.score > 0.9999, `${d.id} by its own vector ${JSON.stringify(d.vector)}: ${found.text.slice(0, 300)}`);
        }
      }),
      runs(60),
    );
    const scratch = await engine.getCollection(OWN_SCRATCH);
    assert.equal(scratch.indexedVectors, scratch.passages, 'the vector index agrees with the passages');
    assert.equal(scratch.passages, scratch.documents, 'one passage per document');
    assert.deepEqual(await engine.getCollection(OWN), ownBefore);
  });

  test('arbitrary credentials on a keyed server: always 401 JSON, never a 5xx, never through', async () => {
    const before = await stateOf();
    const headerValue = fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 80 });
    const credentials: fc.Arbitrary<Record<string, string>> = fc.oneof(
      headerValue.map((v) => ({ authorization: v })),
      headerValue.map((v) => ({ authorization: `Bearer ${v}` })),
      headerValue.filter((v) => v !== '').map((v) => ({ 'x-api-key': v })),
      fc.constant<Record<string, string>>({}),
      fc.constantFrom<Record<string, string>>({ authorization: `Bearer ${ADMIN.slice(0, -1)}` }, { 'x-api-key': ADMIN.toUpperCase() }, { authorization: `Basic ${ADMIN}` }),
    );
    await fc.assert(
      fc.asyncProperty(credentials, fc.constantFrom('GET /v1/info', 'GET /metrics', 'GET /openapi.json', `POST /v1/collections/${STABLE}/search`, `DELETE /v1/collections/${STABLE}`, `POST /v1/collections/${STABLE}/documents`), async (headers, route) => {
        const [method, p] = route.split(' ') as [string, string];
        const sent = { method, path: p, headers, body: method === 'POST' ? json({ query: 'maji', documents: [{ id: 'sw-1', text: 'changed' }] }) : undefined };
        const res = await send(keyed.url, sent);
        assertWellFormed(sent, res);
        assert.equal(res.status, 401, `${route} with ${JSON.stringify(headers)}: ${res.text}`);
      }),
      runs(100),
    );
    assert.deepEqual(await stateOf(), before);
  });
});
