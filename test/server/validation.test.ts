/**
 * Client mistakes: every one is a 4xx with `{error: {code, message}}`, never a 500, and a rejected request
 * changes nothing that is stored.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../server/app.js';
import { silentLogger } from '../../core/logger.js';
import type { Engine } from '../../indexer/engine.js';
import { LIMITS } from '../../indexer/schemas.js';
import { SAMPLE_DOCUMENTS, testEngine } from '../helpers/engine.js';

const C = 'stable';
/** A collection of your own vectors (encoder "none"). */
const OWN = 'own';
const OWN_DIM = 3;
const OWN_DOCUMENTS = [
  { id: 'o-1', text: 'Maji safi.', vector: [1, 0, 0] },
  { id: 'o-2', text: 'Mahindi ya masika.', vector: [0, 1, 0] },
];
const FIXED_QUERY = 'Maji safi ni muhimu kwa afya ya watoto';

interface ErrorBody {
  error: { code: string; message: string; details?: { issues?: Array<{ path: Array<string | number>; message: string }> } };
}

/** A 4xx (never 5xx) JSON error of exactly this status and code, with a non-empty message. */
function assertError(res: request.Response, status: number, code: string): ErrorBody {
  assert.ok(res.status < 500, `server error ${res.status} ${JSON.stringify(res.body)}`);
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.body as ErrorBody;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  for (const key of Object.keys(body.error)) assert.ok(['code', 'message', 'details'].includes(key), `unexpected error field ${key}`);
  return body;
}

/** The issue paths of an INVALID_ARGUMENT from schema validation, as "a.b.c" strings. */
function issuePaths(body: ErrorBody): string[] {
  return (body.error.details?.issues ?? []).map((i) => i.path.join('.'));
}

/** Bytes of a JSON body with raw, non-UTF-8 bytes inside a string value. */
function nonUtf8Json(prefix: string, suffix: string): Buffer {
  return Buffer.concat([Buffer.from(prefix, 'utf8'), Buffer.from([0xff, 0xfe]), Buffer.from(suffix, 'utf8')]);
}

describe('validation', () => {
  let engine: Engine;
  let api: Express;
  /** Same engine, tiny body limit. */
  let small: Express;
  let snapshot: unknown;

  const post = (path: string) => request(api).post(path);
  const searchC = (body: unknown) => post(`/v1/collections/${C}/search`).send(body as object);
  const upsertC = (body: unknown) => post(`/v1/collections/${C}/documents`).send(body as object);
  const rawPost = (app: Express, path: string, body: string | Buffer, type = 'application/json') =>
    request(app)
      .post(path)
      .set('Content-Type', type)
      .serialize((b: unknown) => b as string)
      .send(body as string);

  /** Everything a client can see of the stable collection. */
  async function takeSnapshot(): Promise<unknown> {
    const collection = (await request(api).get(`/v1/collections/${C}`).expect(200)).body as Record<string, unknown>;
    const collections = ((await request(api).get('/v1/collections').expect(200)).body as { collections: Array<{ name: string }> }).collections.map(
      (c) => c.name,
    );
    const documents = [];
    for (const d of SAMPLE_DOCUMENTS) documents.push((await request(api).get(`/v1/collections/${C}/documents/${d.id}`).expect(200)).body);
    const searches = [];
    for (const mode of ['dense', 'bm25', 'hybrid']) {
      const res = await searchC({ query: FIXED_QUERY, mode, k: 100 }).expect(200);
      const { results } = res.body as { results: unknown[] };
      searches.push(results);
    }
    const own = (await request(api).get(`/v1/collections/${OWN}`).expect(200)).body as Record<string, unknown>;
    const ownResults = ((await post(`/v1/collections/${OWN}/search`).send({ vector: [1, 1, 0] }).expect(200)).body as { results: unknown[] }).results;
    return { collection, collections, documents, searches, own, ownResults };
  }

  async function counts(): Promise<{ documents: number; passages: number; indexedVectors: number }> {
    const { documents, passages, indexedVectors } = (await request(api).get(`/v1/collections/${C}`).expect(200)).body as Record<string, number>;
    return { documents: documents!, passages: passages!, indexedVectors: indexedVectors! };
  }

  before(async () => {
    engine = testEngine(undefined);
    api = createApp({ engine, logger: silentLogger, version: 'test', bodyLimit: '10mb' });
    small = createApp({ engine, logger: silentLogger, version: 'test', bodyLimit: '1kb' });
    await request(api).post('/v1/collections').send({ name: C }).expect(201);
    await upsertC({ documents: SAMPLE_DOCUMENTS }).expect(200);
    await post('/v1/collections').send({ name: OWN, encoder: 'none', dim: OWN_DIM }).expect(201);
    await post(`/v1/collections/${OWN}/documents`).send({ documents: OWN_DOCUMENTS }).expect(200);
    snapshot = await takeSnapshot();
  });

  after(() => engine.close());

  describe('request bodies', () => {
    test('invalid JSON is 400 INVALID_JSON on every body-taking endpoint', async () => {
      for (const path of ['/v1/collections', `/v1/collections/${C}/documents`, `/v1/collections/${C}/search`]) {
        assertError(await rawPost(api, path, '{"query": "maji", '), 400, 'INVALID_JSON');
        assertError(await rawPost(api, path, "{'query': 'maji'}"), 400, 'INVALID_JSON');
      }
    });

    test('a JSON scalar body (strict mode) is 400 INVALID_JSON', async () => {
      for (const body of ['null', '"maji"', '42', 'true']) {
        assertError(await rawPost(api, `/v1/collections/${C}/search`, body), 400, 'INVALID_JSON');
      }
    });

    test('a JSON array body is 400 INVALID_ARGUMENT', async () => {
      assertError(await rawPost(api, `/v1/collections/${C}/search`, '[{"query":"maji"}]'), 400, 'INVALID_ARGUMENT');
    });

    test('an unknown language code is 400 naming the field once: lang: "xx" is not an ISO 639 code', async () => {
      const body = assertError(await post(`/v1/collections/${C}/search`).send({ query: 'maji', lang: 'xx' }), 400, 'INVALID_ARGUMENT');
      assert.match(body.error.message, /^lang: "xx" is not an ISO 639-1, 639-2 or 639-3 language code/);
    });

    test('no body at all is 400 INVALID_ARGUMENT', async () => {
      const body = assertError(await post(`/v1/collections/${C}/search`), 400, 'INVALID_ARGUMENT');
      assert.ok(issuePaths(body).includes('query'));
      assertError(await post('/v1/collections'), 400, 'INVALID_ARGUMENT');
    });

    test('non-UTF-8 bytes in the body are 400 INVALID_ENCODING', async () => {
      const search = nonUtf8Json('{"query":"maji', '"}');
      assert.equal(isUtf8(search), false, 'the fixture really is invalid UTF-8');
      assertError(await rawPost(api, `/v1/collections/${C}/search`, search), 400, 'INVALID_ENCODING');
      const docs = nonUtf8Json('{"documents":[{"id":"bad-bytes","text":"abc', '"}]}');
      assertError(await rawPost(api, `/v1/collections/${C}/documents`, docs), 400, 'INVALID_ENCODING');
      assertError(await request(api).get(`/v1/collections/${C}/documents/bad-bytes`), 404, 'DOCUMENT_NOT_FOUND');
      assertError(await rawPost(api, '/v1/collections', nonUtf8Json('{"name":"x', '"}')), 400, 'INVALID_ENCODING');
      assertError(await request(api).get('/v1/collections/x'), 404, 'COLLECTION_NOT_FOUND');
    });

    test('a body over the configured limit is 413 PAYLOAD_TOO_LARGE and stores nothing', async () => {
      assertError(await request(small).post(`/v1/collections/${C}/search`).send({ query: 'maji '.repeat(400) }), 413, 'PAYLOAD_TOO_LARGE');
      const documents = Array.from({ length: 20 }, (_, i) => ({ id: `big-${i}`, text: `Hati ndefu namba ${i} kuhusu maji na kilimo.` }));
      assertError(await request(small).post(`/v1/collections/${C}/documents`).send({ documents }), 413, 'PAYLOAD_TOO_LARGE');
      assertError(await request(api).get(`/v1/collections/${C}/documents/big-0`), 404, 'DOCUMENT_NOT_FOUND');
      // Under the limit the same small app works.
      const ok = await request(small).post(`/v1/collections/${C}/search`).send({ query: 'maji', k: 1 });
      assert.equal(ok.status, 200);
    });

    test('an unsupported charset or content encoding is 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      assertError(await rawPost(api, `/v1/collections/${C}/search`, '{"query":"maji"}', 'application/json; charset=latin1'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      const res = await request(api)
        .post(`/v1/collections/${C}/search`)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'x-unknown')
        .send('{"query":"maji"}');
      assertError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    test('a corrupt gzip body is a 400, not a 500', async () => {
      const res = await request(api)
        .post(`/v1/collections/${C}/search`)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send('{"query":"maji"}');
      assertError(res, 400, 'INVALID_ARGUMENT');
    });
  });

  describe('search', () => {
    const bad: Array<[string, unknown, string?]> = [
      ['missing query', { k: 5 }, 'query'],
      ['query as number', { query: 42 }, 'query'],
      ['query as array', { query: ['maji'] }, 'query'],
      ['query null', { query: null }, 'query'],
      ['empty query', { query: '' }, 'query'],
      ['whitespace-only query', { query: ' \t\n  ' }, 'query'],
      ['query over the length limit', { query: 'a'.repeat(LIMITS.maxQueryChars + 1) }, 'query'],
      ['k as string', { query: 'maji', k: '5' }, 'k'],
      ['k 0', { query: 'maji', k: 0 }, 'k'],
      ['k negative', { query: 'maji', k: -1 }, 'k'],
      ['k 1001', { query: 'maji', k: LIMITS.maxK + 1 }, 'k'],
      ['k 1.5', { query: 'maji', k: 1.5 }, 'k'],
      ['k null', { query: 'maji', k: null }, 'k'],
      ['ef 0', { query: 'maji', ef: 0 }, 'ef'],
      ['ef over the limit', { query: 'maji', ef: LIMITS.maxEf + 1 }, 'ef'],
      ['ef as string', { query: 'maji', ef: '64' }, 'ef'],
      ['unknown mode', { query: 'maji', mode: 'semantic' }, 'mode'],
      ['mode in the wrong case', { query: 'maji', mode: 'DENSE' }, 'mode'],
      ['unknown extra field', { query: 'maji', top_k: 5 }, ''],
      ['unknown filter field', { query: 'maji', filter: { tag: 'x' } }, 'filter'],
      ['filter not an object', { query: 'maji', filter: 'sw' }, 'filter'],
      ['bad lang code (word)', { query: 'maji', lang: 'swahili' }, 'lang'],
      ['bad lang code (one letter)', { query: 'maji', lang: 's' }, 'lang'],
      ['bad lang code (empty)', { query: 'maji', lang: '' }, 'lang'],
      ['bad lang code (number)', { query: 'maji', lang: 1 }, 'lang'],
      ['bad filter lang', { query: 'maji', filter: { lang: 'sw!' } }, 'filter.lang'],
      ['bad filter lang in array', { query: 'maji', filter: { lang: ['sw', 'x'] } }, 'filter.lang.1'],
      ['empty filter lang array', { query: 'maji', filter: { lang: [] } }, 'filter.lang'],
      ['bad metadata key', { query: 'maji', filter: { metadata: { 'a b': 1 } } }, 'filter.metadata.a b'],
      ['metadata value array', { query: 'maji', filter: { metadata: { topic: ['health'] } } }, 'filter.metadata.topic'],
      ['unknown filter operator', { query: 'maji', filter: { metadata: { topic: { $regex: 'x' } } } }, 'filter.metadata.topic.$regex'],
      ['unknown logical operator', { query: 'maji', filter: { metadata: { $xor: [{ topic: 'x' }] } } }, 'filter.metadata.$xor'],
      ['$in of mixed types', { query: 'maji', filter: { metadata: { year: { $in: [2024, '2023'] } } } }, 'filter.metadata.year.$in.1'],
      ['$gt on a boolean', { query: 'maji', filter: { metadata: { reviewed: { $gt: false } } } }, 'filter.metadata.reviewed.$gt'],
      ['$or of a non-object', { query: 'maji', filter: { metadata: { $or: [{ topic: 'x' }, 5] } } }, 'filter.metadata.$or.1'],
      ['empty operator object', { query: 'maji', filter: { metadata: { topic: {} } } }, 'filter.metadata.topic'],
      ['a string compared with a numeric key', { query: 'maji', filter: { metadata: { year: '2024' } } }],
      ['a number compared with a boolean key', { query: 'maji', filter: { metadata: { reviewed: { $ne: 1 } } } }],
      ['offset negative', { query: 'maji', offset: -1 }, 'offset'],
      ['offset as string', { query: 'maji', offset: '10' }, 'offset'],
      ['offset 1.5', { query: 'maji', offset: 1.5 }, 'offset'],
      ['offset + k over the limit', { query: 'maji', k: 10, offset: LIMITS.maxK - 9 }, 'offset'],
      ['unknown group_by', { query: 'maji', group_by: 'title' }, 'group_by'],
      ['group_by in the wrong case', { query: 'maji', group_by: 'Document' }, 'group_by'],
      ['group_by null', { query: 'maji', group_by: null }, 'group_by'],
      ['highlight as string', { query: 'maji', highlight: 'true' }, 'highlight'],
      ['highlight as number', { query: 'maji', highlight: 1 }, 'highlight'],
      ['highlight as object', { query: 'maji', highlight: { fields: ['text'] } }, 'highlight'],
    ];
    for (const [name, body, path] of bad) {
      test(`${name} → 400 INVALID_ARGUMENT`, async () => {
        const error = assertError(await searchC(body), 400, 'INVALID_ARGUMENT');
        if (path !== undefined) assert.ok(issuePaths(error).includes(path), `issue at "${path}" in ${JSON.stringify(issuePaths(error))}`);
      });
    }

    test('group_by and highlight are accepted and shape the results', async () => {
      const res = await searchC({ query: 'maji', k: 3, mode: 'hybrid', group_by: 'document', highlight: true });
      assert.equal(res.status, 200);
      const results = (res.body as { results: Array<{ id: string; matched_passages: number; highlights: { terms: unknown[]; sentence?: unknown } }> }).results;
      assert.ok(results.length > 0);
      assert.equal(new Set(results.map((r) => r.id)).size, results.length);
      for (const r of results) {
        assert.ok(r.matched_passages >= 1);
        assert.ok(Array.isArray(r.highlights.terms));
      }
      const plain = await searchC({ query: 'maji', k: 3, highlight: false });
      assert.ok((plain.body as { results: object[] }).results.every((r) => !('highlights' in r) && !('matched_passages' in r)));
    });

    test('the unknown field is named in the message', async () => {
      const error = assertError(await searchC({ query: 'maji', top_k: 5 }), 400, 'INVALID_ARGUMENT');
      assert.match(error.error.message, /top_k/);
    });

    test('the limits themselves are accepted (k 1 and 1000, query of 4096 characters)', async () => {
      const one = await searchC({ query: 'maji', k: 1 });
      assert.equal(one.status, 200);
      assert.equal((one.body as { results: unknown[] }).results.length, 1);
      assert.equal((await searchC({ query: 'maji', k: LIMITS.maxK })).status, 200);
      assert.equal((await searchC({ query: 'maji '.repeat(1000).slice(0, LIMITS.maxQueryChars) })).status, 200);
    });

    test('a per-request ef is accepted and, on a small collection, gives the exact answer like the default', async () => {
      const byDefault = await searchC({ query: 'maji', k: 3 });
      const wide = await searchC({ query: 'maji', k: 3, ef: LIMITS.maxEf });
      assert.equal(wide.status, 200);
      assert.deepEqual(wide.body.results, byDefault.body.results);
    });

    test('unknown collection is 404 COLLECTION_NOT_FOUND, even with an invalid body', async () => {
      assertError(await post('/v1/collections/nowhere/search').send({ query: 'maji' }), 404, 'COLLECTION_NOT_FOUND');
      assertError(await post('/v1/collections/nowhere/search').send({ query: '' }), 404, 'COLLECTION_NOT_FOUND');
    });

    test(
      'an out-of-range numeric character reference in the query is a 4xx, not a 500',
      async () => {
        for (const query of ['&#x110000;', 'maji &#99999999; safi']) {
          for (const mode of ['dense', 'bm25']) {
            const res = await searchC({ query, mode });
            assert.ok(res.status < 500, `${mode} "${query}": ${res.status} ${JSON.stringify(res.body)}`);
          }
        }
      },
    );

    test(
      'a filter on the metadata key "__proto__" is rejected or applied, never silently dropped',
      async () => {
        const res = await rawPost(api, `/v1/collections/${C}/search`, '{"query":"maji","k":100,"filter":{"metadata":{"__proto__":"x"}}}');
        if (res.status === 400) {
          assertError(res, 400, 'INVALID_ARGUMENT');
          return;
        }
        assert.equal(res.status, 200);
        assert.deepEqual((res.body as { results: unknown[] }).results, [], 'no document has metadata.__proto__ = "x"');
      },
    );
  });

  describe('listing documents', () => {
    const list = (query: string) => request(api).get(`/v1/collections/${C}/documents${query}`);
    const filter = (v: unknown) => `filter=${encodeURIComponent(JSON.stringify(v))}`;
    const bad: Array<[string, string, string?]> = [
      ['limit 0', '?limit=0', 'limit'],
      ['limit over the maximum', '?limit=1001', 'limit'],
      ['limit not a number', '?limit=ten', 'limit'],
      ['limit negative', '?limit=-1', 'limit'],
      ['limit repeated', '?limit=1&limit=2', 'limit'],
      ['unknown parameter', '?offset=5', ''],
      ['cursor not issued here', '?cursor=abc'],
      ['empty cursor', '?cursor=', 'cursor'],
      ['filter not JSON', '?filter=%7Blang', 'filter'],
      ['filter with an unknown field', `?${filter({ tag: 1 })}`, 'filter'],
      ['filter with an unknown operator', `?${filter({ metadata: { year: { $like: 1 } } })}`, 'filter.metadata.year.$like'],
      ['filter of the wrong type for the key', `?${filter({ metadata: { year: '2024' } })}`],
    ];
    for (const [name, query, path] of bad) {
      test(`${name} → 400 INVALID_ARGUMENT`, async () => {
        const error = assertError(await list(query), 400, 'INVALID_ARGUMENT');
        if (path !== undefined) assert.ok(issuePaths(error).includes(path), `issue at "${path}" in ${JSON.stringify(issuePaths(error))}`);
      });
    }

    test('a valid page: limit, cursor and filter together', async () => {
      const first = await list(`?limit=2&${filter({ metadata: { topic: 'health' } })}`).expect(200);
      const body = first.body as { documents: Array<{ id: string }>; next_cursor: string };
      assert.deepEqual(body.documents.map((d) => d.id), ['sw-1', 'en-1']);
      const rest = (await list(`?limit=10&cursor=${body.next_cursor}&${filter({ metadata: { topic: 'health' } })}`).expect(200)).body as typeof body;
      assert.equal(rest.next_cursor, null);
      assert.deepEqual(rest.documents.map((d) => d.id), ['ha-1', 'am-1']);
    });

    test('unknown collection is 404, even with invalid parameters', async () => {
      assertError(await request(api).get('/v1/collections/nowhere/documents?limit=0'), 404, 'COLLECTION_NOT_FOUND');
    });
  });

  describe('patch and delete-by-filter', () => {
    const patch = (id: string, body: unknown) => request(api).patch(`/v1/collections/${C}/documents/${id}`).send(body as object);
    const del = (body: unknown) => post(`/v1/collections/${C}/documents/delete`).send(body as object);
    const badPatches: Array<[string, unknown, string?]> = [
      ['empty patch', {}, ''],
      ['text (needs re-encoding)', { text: 'mpya' }, ''],
      ['lang (needs re-encoding)', { lang: 'sw' }, ''],
      ['title not a string', { title: 5 }, 'title'],
      ['title over the limit', { title: 'x'.repeat(LIMITS.maxTitleChars + 1) }, 'title'],
      ['metadata not an object', { metadata: 'x' }, 'metadata'],
      ['bad metadata key', { metadata: { 'a b': 1 } }, 'metadata.a b'],
      ['too many keys once merged', { metadata: Object.fromEntries(Array.from({ length: LIMITS.maxMetadataKeys }, (_, i) => [`k${i}`, i])) }],
    ];
    for (const [name, body, path] of badPatches) {
      test(`PATCH: ${name} → 400 INVALID_ARGUMENT`, async () => {
        const error = assertError(await patch('sw-1', body), 400, 'INVALID_ARGUMENT');
        if (path !== undefined) assert.ok(issuePaths(error).includes(path), `issue at "${path}" in ${JSON.stringify(issuePaths(error))}`);
      });
    }
    test('PATCH of a missing document is 404 DOCUMENT_NOT_FOUND; of a missing collection 404 COLLECTION_NOT_FOUND', async () => {
      assertError(await patch('no-such', { title: 'x' }), 404, 'DOCUMENT_NOT_FOUND');
      assertError(await request(api).patch('/v1/collections/nowhere/documents/sw-1').send({ title: 'x' }), 404, 'COLLECTION_NOT_FOUND');
    });

    const badDeletes: Array<[string, unknown, string?]> = [
      ['no body fields', {}, ''],
      ['both ids and filter', { ids: ['sw-1'], filter: { lang: 'sw' } }, ''],
      ['empty ids', { ids: [] }, 'ids'],
      ['empty filter', { filter: {} }, 'filter'],
      ['filter with an empty where document', { filter: { metadata: {} } }, 'filter'],
      ['filter with an unknown operator', { filter: { metadata: { topic: { $like: 'h%' } } } }, 'filter.metadata.topic.$like'],
      ['filter of the wrong type for the key', { filter: { metadata: { year: '2024' } } }],
      ['unknown field', { where: { topic: 'health' } }, ''],
    ];
    for (const [name, body, path] of badDeletes) {
      test(`delete: ${name} → 400 INVALID_ARGUMENT`, async () => {
        const error = assertError(await del(body), 400, 'INVALID_ARGUMENT');
        if (path !== undefined) assert.ok(issuePaths(error).includes(path), `issue at "${path}" in ${JSON.stringify(issuePaths(error))}`);
      });
    }
  });

  describe('collections', () => {
    const badNames: Array<[string, unknown]> = [
      ['path traversal', '../etc'],
      ['space', 'a b'],
      ['65 characters', 'a'.repeat(65)],
      ['empty', ''],
      ['leading dash', '-abc'],
      ['leading underscore', '_abc'],
      ['slash', 'a/b'],
      ['dot', 'a.b'],
      ['non-ASCII', 'maktaba-ü'],
      ['number', 42],
      ['null', null],
    ];
    for (const [label, name] of badNames) {
      test(`bad collection name (${label}) → 400 INVALID_ARGUMENT and nothing created`, async () => {
        const error = assertError(await post('/v1/collections').send({ name }), 400, 'INVALID_ARGUMENT');
        assert.ok(issuePaths(error).includes('name'));
      });
    }

    test('a 64-character name is the longest accepted', async () => {
      const name = `a${'b'.repeat(63)}`;
      assert.equal((await post('/v1/collections').send({ name })).status, 201);
      assert.equal((await request(api).delete(`/v1/collections/${name}`)).status, 200);
    });

    test('missing name, wrong field types and unknown fields → 400 INVALID_ARGUMENT', async () => {
      assertError(await post('/v1/collections').send({}), 400, 'INVALID_ARGUMENT');
      assertError(await post('/v1/collections').send({ name: 'x1', encoder: 7 }), 400, 'INVALID_ARGUMENT');
      assertError(await post('/v1/collections').send({ name: 'x1', encoder: '' }), 400, 'INVALID_ARGUMENT');
      const error = assertError(await post('/v1/collections').send({ name: 'x1', dim: 64 }), 400, 'INVALID_ARGUMENT');
      assert.match(error.error.message, /dim/);
      assertError(await request(api).get('/v1/collections/x1'), 404, 'COLLECTION_NOT_FOUND');
    });

    test('unknown encoder → 400 UNKNOWN_ENCODER and nothing created', async () => {
      const error = assertError(await post('/v1/collections').send({ name: 'enc', encoder: 'labse-xl' }), 400, 'UNKNOWN_ENCODER');
      assert.match(error.error.message, /labse-xl/);
      assertError(await request(api).get('/v1/collections/enc'), 404, 'COLLECTION_NOT_FOUND');
    });

    const badConfigs: Array<[string, unknown]> = [
      ['ef 0', { hnsw: { ef: 0 } }],
      ['M too small', { hnsw: { M: 2 } }],
      ['M as string', { hnsw: { M: '16' } }],
      ['efConstruction fractional', { hnsw: { efConstruction: 100.5 } }],
      ['overlapChars = maxChars', { passages: { maxChars: 100, overlapChars: 100 } }],
      ['overlapChars > maxChars', { passages: { maxChars: 100, overlapChars: 150 } }],
      ['overlapChars ≥ default maxChars', { passages: { overlapChars: 1000 } }],
      ['maxChars below minimum', { passages: { maxChars: 10, overlapChars: 0 } }],
      ['negative overlap', { passages: { overlapChars: -1 } }],
      ['overlap of 49 in 50 (2,489 passages for 10 KB)', { passages: { maxChars: 50, overlapChars: 49 } }],
      ['overlap over half of maxChars', { passages: { maxChars: 100, overlapChars: 51 } }],
      ['overlap over half of the default maxChars', { passages: { overlapChars: 501 } }],
      ['unknown config key', { shards: 2 }],
      ['unknown hnsw key', { hnsw: { space: 'l2' } }],
      ['config null', null],
      ['config array', []],
      ['config string', 'fast'],
    ];
    for (const [label, config] of badConfigs) {
      test(`invalid collection config (${label}) → 400 INVALID_ARGUMENT and nothing created`, async () => {
        assertError(await post('/v1/collections').send({ name: 'cfg', config }), 400, 'INVALID_ARGUMENT');
        assertError(await request(api).get('/v1/collections/cfg'), 404, 'COLLECTION_NOT_FOUND');
      });
    }

    test('the passage overlap may be half of maxChars, not more, and the refusal says so', async () => {
      const error = assertError(await post('/v1/collections').send({ name: 'cfg', config: { passages: { maxChars: 50, overlapChars: 26 } } }), 400, 'INVALID_ARGUMENT');
      assert.match(error.error.message, /overlapChars must be at most half of passages\.maxChars/);
      const res = await post('/v1/collections').send({ name: 'cfg', config: { passages: { maxChars: 50, overlapChars: 25 } } });
      assert.equal(res.status, 201);
      assert.deepEqual((res.body as { config: { passages: unknown } }).config.passages, { maxChars: 50, overlapChars: 25 });
      assert.equal((await request(api).delete('/v1/collections/cfg')).status, 200);
    });

    test('unknown collection on GET/DELETE is 404 COLLECTION_NOT_FOUND; a bad name in the URL too', async () => {
      assertError(await request(api).get('/v1/collections/nowhere'), 404, 'COLLECTION_NOT_FOUND');
      assertError(await request(api).delete('/v1/collections/nowhere'), 404, 'COLLECTION_NOT_FOUND');
      assertError(await request(api).get('/v1/collections/..%2Fetc'), 404, 'COLLECTION_NOT_FOUND');
      assertError(await request(api).get('/v1/collections/a%20b'), 404, 'COLLECTION_NOT_FOUND');
    });

    test('a malformed percent-escape in the URL is 400, not 500', async () => {
      assertError(await request(api).get('/v1/collections/%E0%A4'), 400, 'INVALID_ARGUMENT');
      assertError(await request(api).get(`/v1/collections/${C}/documents/%ZZ`), 400, 'INVALID_ARGUMENT');
    });
  });

  describe('documents', () => {
    const doc = (over: Record<string, unknown> = {}) => ({ id: 'new-1', text: 'Hati mpya kuhusu maji.', ...over });
    const bad: Array<[string, unknown, string?]> = [
      ['empty body object', {}, 'documents'],
      ['documents not an array', { documents: doc() }, 'documents'],
      ['empty documents array', { documents: [] }, 'documents'],
      ['missing id', { documents: [{ text: 'maji' }] }, 'documents.0.id'],
      ['empty id', { documents: [doc({ id: '' })] }, 'documents.0.id'],
      ['numeric id', { documents: [doc({ id: 7 })] }, 'documents.0.id'],
      ['id over the length limit', { documents: [doc({ id: 'x'.repeat(LIMITS.maxIdChars + 1) })] }, 'documents.0.id'],
      ['missing text', { documents: [{ id: 'new-1' }] }, 'documents.0.text'],
      ['empty text', { documents: [doc({ text: '' })] }, 'documents.0.text'],
      ['blank text', { documents: [doc({ text: ' \n\t ' })] }, 'documents.0.text'],
      ['text not a string', { documents: [doc({ text: ['maji'] })] }, 'documents.0.text'],
      ['bad lang', { documents: [doc({ lang: 'swahili' })] }, 'documents.0.lang'],
      ['title over the length limit', { documents: [doc({ title: 't'.repeat(LIMITS.maxTitleChars + 1) })] }, 'documents.0.title'],
      ['metadata not an object', { documents: [doc({ metadata: 'health' })] }, 'documents.0.metadata'],
      ['bad metadata key', { documents: [doc({ metadata: { 'a b': 1 } })] }, 'documents.0.metadata.a b'],
      [
        'too many metadata keys',
        { documents: [doc({ metadata: Object.fromEntries(Array.from({ length: LIMITS.maxMetadataKeys + 1 }, (_, i) => [`k${i}`, i])) })] },
        'documents.0.metadata',
      ],
      ['unknown document field', { documents: [doc({ body: 'x' })] }, 'documents.0'],
      ['unknown top-level field', { documents: [doc()], upsert: true }, ''],
      ['bad document in the middle', { documents: [doc(), doc({ id: 'new-2', text: '   ' }), doc({ id: 'new-3' })] }, 'documents.1.text'],
    ];
    for (const [name, body, path] of bad) {
      test(`${name} → 400 INVALID_ARGUMENT and nothing stored`, async () => {
        const before = await counts();
        const error = assertError(await upsertC(body), 400, 'INVALID_ARGUMENT');
        if (path !== undefined) assert.ok(issuePaths(error).includes(path), `issue at "${path}" in ${JSON.stringify(issuePaths(error))}`);
        assert.deepEqual(await counts(), before);
        assertError(await request(api).get(`/v1/collections/${C}/documents/new-1`), 404, 'DOCUMENT_NOT_FOUND');
      });
    }

    test(`more than ${LIMITS.maxDocumentsPerBatch} documents → 400 INVALID_ARGUMENT and nothing stored`, async () => {
      const before = await counts();
      const documents = Array.from({ length: LIMITS.maxDocumentsPerBatch + 1 }, (_, i) => ({ id: `bulk-${i}`, text: `hati ${i}` }));
      const error = assertError(await upsertC({ documents }), 400, 'INVALID_ARGUMENT');
      assert.ok(issuePaths(error).includes('documents'));
      assert.deepEqual(await counts(), before);
      assertError(await request(api).get(`/v1/collections/${C}/documents/bulk-0`), 404, 'DOCUMENT_NOT_FOUND');
    });

    test('a duplicate id in one batch → 400 INVALID_ARGUMENT and NOTHING from the batch is stored', async () => {
      const before = await counts();
      const documents = [
        { id: 'dup-ok', text: 'Hati halali ambayo haipaswi kuhifadhiwa.' },
        { ...SAMPLE_DOCUMENTS[0]!, text: 'A changed text for sw-1 that must not be stored.' },
        { id: 'dup', text: 'first' },
        { id: 'dup', text: 'second' },
      ];
      const error = assertError(await upsertC({ documents }), 400, 'INVALID_ARGUMENT');
      assert.match(error.error.message, /"dup"/);
      assert.deepEqual(await counts(), before);
      assertError(await request(api).get(`/v1/collections/${C}/documents/dup-ok`), 404, 'DOCUMENT_NOT_FOUND');
      assertError(await request(api).get(`/v1/collections/${C}/documents/dup`), 404, 'DOCUMENT_NOT_FOUND');
      const sw1 = (await request(api).get(`/v1/collections/${C}/documents/sw-1`).expect(200)).body as { text: string };
      assert.equal(sw1.text, SAMPLE_DOCUMENTS[0]!.text);
    });

    test('unknown collection is 404 COLLECTION_NOT_FOUND, even with an invalid body', async () => {
      assertError(await post('/v1/collections/nowhere/documents').send({ documents: [doc()] }), 404, 'COLLECTION_NOT_FOUND');
      assertError(await post('/v1/collections/nowhere/documents').send({ documents: [] }), 404, 'COLLECTION_NOT_FOUND');
      assertError(await request(api).get('/v1/collections/nowhere/documents/sw-1'), 404, 'COLLECTION_NOT_FOUND');
      assertError(await request(api).delete('/v1/collections/nowhere/documents/sw-1'), 404, 'COLLECTION_NOT_FOUND');
    });

    test(
      'an out-of-range numeric character reference in document text is a 4xx, not a 500',
      async () => {
        const res = await upsertC({ documents: [doc({ id: 'ncr', text: 'maji &#x110000; safi' })] });
        assert.ok(res.status < 500, `${res.status} ${JSON.stringify(res.body)}`);
        if (res.status === 200) await request(api).delete(`/v1/collections/${C}/documents/ncr`).expect(200); // keep the snapshot intact
      },
    );

    test(
      'deeply nested metadata is a 4xx, not a 500',
      async () => {
        const depth = 5000;
        const body = `{"documents":[{"id":"deep","text":"maji","metadata":{"k":${'['.repeat(depth)}${']'.repeat(depth)}}}]}`;
        const res = await rawPost(api, `/v1/collections/${C}/documents`, body);
        assert.ok(res.status < 500, `${res.status} ${JSON.stringify(res.body)}`);
      },
    );

    test(
      'the metadata key "__proto__" is rejected or stored intact, never silently dropped',
      async () => {
        const res = await rawPost(
          api,
          `/v1/collections/${C}/documents`,
          '{"documents":[{"id":"proto","text":"Hati ya majaribio.","metadata":{"__proto__":"x","a":1}}]}',
        );
        try {
          if (res.status === 400) {
            assertError(res, 400, 'INVALID_ARGUMENT');
            return;
          }
          assert.equal(res.status, 200);
          const stored = (await request(api).get(`/v1/collections/${C}/documents/proto`).expect(200)).body as { metadata: unknown };
          assert.equal(JSON.stringify(stored.metadata), '{"__proto__":"x","a":1}');
        } finally {
          await request(api).delete(`/v1/collections/${C}/documents/proto`);
        }
      },
    );
  });

  describe('your own vectors', () => {
    const ownDoc = (over: Record<string, unknown> = {}) => ({ id: 'o-new', text: 'Hati mpya.', vector: [0, 0, 1], ...over });
    const upsertOwn = (body: unknown) => post(`/v1/collections/${OWN}/documents`).send(body as object);
    const searchOwn = (body: unknown) => post(`/v1/collections/${OWN}/search`).send(body as object);
    const ownCount = async () => ((await request(api).get(`/v1/collections/${OWN}`).expect(200)).body as { documents: number }).documents;

    test('the collection records encoder "none" and its dim; listings show it', async () => {
      const own = (await request(api).get(`/v1/collections/${OWN}`).expect(200)).body as { encoder: string; dim: number; encoderVersion: unknown };
      assert.deepEqual([own.encoder, own.dim, own.encoderVersion], ['none', OWN_DIM, null]);
      const listed = ((await request(api).get('/v1/collections').expect(200)).body as { collections: Array<{ name: string; encoder: string }> }).collections;
      assert.equal(listed.find((c) => c.name === OWN)?.encoder, 'none');
      const info = (await request(api).get('/v1/info').expect(200)).body as { collections: Array<{ name: string; encoder: string }> };
      assert.equal(info.collections.find((c) => c.name === OWN)?.encoder, 'none');
    });

    const badCollections: Array<[string, unknown, RegExp]> = [
      ['encoder none without dim', { name: 'v1', encoder: 'none' }, /dim goes with encoder "none"/],
      ['dim without encoder', { name: 'v1', dim: 8 }, /dim goes with encoder "none"/],
      ['dim with a real encoder', { name: 'v1', encoder: 'hashed-ngram-v1', dim: 64 }, /dim goes with encoder "none"/],
      ['dim 0', { name: 'v1', encoder: 'none', dim: 0 }, /dim/],
      [`dim ${LIMITS.maxVectorDim + 1}`, { name: 'v1', encoder: 'none', dim: LIMITS.maxVectorDim + 1 }, /dim/],
      ['dim 1.5', { name: 'v1', encoder: 'none', dim: 1.5 }, /dim/],
      ['dim as string', { name: 'v1', encoder: 'none', dim: '8' }, /dim/],
      ['config.passages with encoder none', { name: 'v1', encoder: 'none', dim: 8, config: { passages: { maxChars: 300 } } }, /passages.*keeps each document whole/],
    ];
    for (const [label, body, message] of badCollections) {
      test(`create: ${label} → 400 INVALID_ARGUMENT and nothing created`, async () => {
        const error = assertError(await post('/v1/collections').send(body as object), 400, 'INVALID_ARGUMENT');
        assert.match(error.error.message, message);
        assertError(await request(api).get('/v1/collections/v1'), 404, 'COLLECTION_NOT_FOUND');
      });
    }

    const badDocuments: Array<[string, unknown, string | RegExp]> = [
      ['missing vector', { documents: [{ id: 'o-new', text: 'maji' }] }, /document "o-new".*needs a vector of 3 numbers/],
      ['vector too short', { documents: [ownDoc({ vector: [1, 0] })] }, /vector has 2 numbers, and the collection's vectors have 3/],
      ['vector too long', { documents: [ownDoc({ vector: [1, 0, 0, 0] })] }, /vector has 4 numbers/],
      ['vector entry a string', { documents: [ownDoc({ vector: [1, '0', 0] })] }, 'documents.0.vector.1'],
      ['vector entry null', { documents: [ownDoc({ vector: [1, null, 0] })] }, 'documents.0.vector.1'],
      ['vector not an array', { documents: [ownDoc({ vector: '1,0,0' })] }, 'documents.0.vector'],
      ['empty vector', { documents: [ownDoc({ vector: [] })] }, 'documents.0.vector'],
      ['zero vector', { documents: [ownDoc({ vector: [0, 0, 0] })] }, 'documents.0.vector'],
      [`vector over ${LIMITS.maxVectorDim} numbers`, { documents: [ownDoc({ vector: Array.from({ length: LIMITS.maxVectorDim + 1 }, () => 1) })] }, 'documents.0.vector'],
      ['bad vector after a good document', { documents: [OWN_DOCUMENTS[0], ownDoc({ vector: [1, 2] })] }, /document "o-new"/],
    ];
    for (const [label, body, expected] of badDocuments) {
      test(`documents: ${label} → 400 INVALID_ARGUMENT and nothing stored`, async () => {
        const before = await ownCount();
        const error = assertError(await upsertOwn(body), 400, 'INVALID_ARGUMENT');
        if (typeof expected === 'string') assert.ok(issuePaths(error).includes(expected), `issue at "${expected}" in ${JSON.stringify(issuePaths(error))}`);
        else assert.match(error.error.message, expected);
        assert.equal(await ownCount(), before);
        assertError(await request(api).get(`/v1/collections/${OWN}/documents/o-new`), 404, 'DOCUMENT_NOT_FOUND');
      });
    }

    test('a number too large for a double (1e309 parses as Infinity) is refused as not finite, in documents and searches', async () => {
      const upsert = assertError(await rawPost(api, `/v1/collections/${OWN}/documents`, '{"documents":[{"id":"o-new","text":"maji","vector":[1e309,0,0]}]}'), 400, 'INVALID_ARGUMENT');
      assert.ok(issuePaths(upsert).includes('documents.0.vector.0'));
      assert.match(upsert.error.message, /finite/);
      const search = assertError(await rawPost(api, `/v1/collections/${OWN}/search`, '{"vector":[0,-1e309,0]}'), 400, 'INVALID_ARGUMENT');
      assert.ok(issuePaths(search).includes('vector.1'));
    });

    test('a vector on a document of a collection with an encoder → 400 INVALID_ARGUMENT and nothing stored', async () => {
      const before = await counts();
      const error = assertError(await upsertC({ documents: [{ id: 'new-1', text: 'maji', vector: [1, 0, 0] }] }), 400, 'INVALID_ARGUMENT');
      assert.match(error.error.message, /encodes its documents with "hashed-ngram-v1"; only a collection created with encoder "none" takes their vectors/);
      assert.deepEqual(await counts(), before);
    });

    const badSearches: Array<[string, string, unknown, string | RegExp]> = [
      ['dense without a vector', OWN, { query: 'maji' }, /own vectors.*need a vector of 3 numbers/],
      ['hybrid without a vector', OWN, { query: 'maji', mode: 'hybrid' }, /need a vector/],
      ['auto without a vector', OWN, { query: 'maji', mode: 'auto' }, /need a vector/],
      ['vector of the wrong dim', OWN, { vector: [1, 0] }, /search vector: vector has 2 numbers/],
      ['vector of the wrong dim with bm25', OWN, { query: 'maji', vector: [1, 0], mode: 'bm25' }, /vector has 2 numbers/],
      ['vector of the wrong dim on an encoder collection', C, { vector: [1, 0, 0] }, /vector has 3 numbers, and the collection's vectors have 64/],
      ['vector entry a string', OWN, { vector: ['1', 0, 0] }, 'vector.0'],
      ['vector entry an array', OWN, { vector: [[1], 0, 0] }, 'vector.0'],
      ['zero vector', OWN, { vector: [0, 0, 0] }, 'vector'],
      ['empty vector', OWN, { vector: [] }, 'vector'],
      ['vector null', OWN, { vector: null }, 'vector'],
      ['bm25 with a vector and no query', OWN, { vector: [1, 0, 0], mode: 'bm25' }, 'query'],
      ['neither query nor vector', OWN, { k: 3 }, 'query'],
    ];
    for (const [label, collection, body, expected] of badSearches) {
      test(`search: ${label} → 400 INVALID_ARGUMENT`, async () => {
        const error = assertError(await post(`/v1/collections/${collection}/search`).send(body as object), 400, 'INVALID_ARGUMENT');
        if (typeof expected === 'string') assert.ok(issuePaths(error).includes(expected), `issue at "${expected}" in ${JSON.stringify(issuePaths(error))}`);
        else assert.match(error.error.message, expected);
      });
    }

    test('searches by vector, by words (bm25) and both (hybrid); a document comes back with its unit vector', async () => {
      const dense = (await searchOwn({ vector: [0, 5, 0], k: 1 }).expect(200)).body as { results: Array<{ id: string; score: number }>; mode: string };
      assert.deepEqual([dense.mode, dense.results[0]!.id], ['dense', 'o-2']);
      assert.ok(Math.abs(dense.results[0]!.score - 1) < 1e-6);
      const bm25 = (await searchOwn({ query: 'mahindi', mode: 'bm25' }).expect(200)).body as { results: Array<{ id: string }> };
      assert.deepEqual(bm25.results.map((r) => r.id), ['o-2']);
      const hybrid = (await searchOwn({ query: 'maji', vector: [0, 1, 0], mode: 'auto' }).expect(200)).body as { mode: string; results: unknown[] };
      assert.deepEqual([hybrid.mode, hybrid.results.length], ['hybrid', 2]);
      const stored = (await request(api).get(`/v1/collections/${OWN}/documents/o-2`).expect(200)).body as { vector: number[] };
      assert.deepEqual(stored.vector, [0, 1, 0]);
      const listed = (await request(api).get(`/v1/collections/${OWN}/documents`).expect(200)).body as { documents: Array<Record<string, unknown>> };
      assert.ok(listed.documents.every((d) => !('vector' in d)), 'listings leave vectors out');
    });

    test('a collection with an encoder searches by a vector of its dim', async () => {
      const res = await searchC({ vector: Array.from({ length: 64 }, (_, i) => (i === 3 ? 1 : 0)), k: 2 }).expect(200);
      assert.equal((res.body as { mode: string }).mode, 'dense');
    });
  });

  describe('routes', () => {
    test('unknown routes are 404 ROUTE_NOT_FOUND', async () => {
      assertError(await request(api).get('/nope'), 404, 'ROUTE_NOT_FOUND');
      assertError(await request(api).get('/v2/collections'), 404, 'ROUTE_NOT_FOUND');
      assertError(await post(`/v1/collections/${C}/query`).send({ query: 'maji' }), 404, 'ROUTE_NOT_FOUND');
      assertError(await request(api).put(`/v1/collections/${C}/documents`), 405, 'METHOD_NOT_ALLOWED');
      assertError(await request(api).get(`/v1/collections/${C}/documents/sw-1/passages`), 404, 'ROUTE_NOT_FOUND');
      const error = assertError(await request(api).delete('/v1/nothing/here'), 404, 'ROUTE_NOT_FOUND');
      assert.match(error.error.message, /DELETE \/v1\/nothing\/here/);
    });

    test(
      'a known path with an unsupported method is 405 METHOD_NOT_ALLOWED',
      async () => {
        assertError(await request(api).put('/v1/collections').send({ name: 'x' }), 405, 'METHOD_NOT_ALLOWED');
        assertError(await request(api).patch(`/v1/collections/${C}`).send({}), 405, 'METHOD_NOT_ALLOWED');
      },
    );
  });

  describe('after every rejected request above', () => {
    test('the stored collection, its documents and search results are exactly as before', async () => {
      assert.deepEqual(await takeSnapshot(), snapshot);
    });
  });
});
