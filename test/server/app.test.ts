/**
 * The HTTP API end to end, in process: collections, documents, the three search modes, filters, info, metrics,
 * and the real server on an ephemeral port. Engines use the real 64-d baseline encoder; the contract suite runs on
 * every store (SQLite + HNSW in memory, PostgreSQL + pgvector on PGlite: test/helpers/stores.ts).
 */
import type { SearchResult } from '../../indexer/search.js';
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../server/app.js';
import { startWebServer } from '../../server/start.js';
import { silentLogger } from '../../core/logger.js';
import type { Engine } from '../../indexer/engine.js';
import type { Encoder } from '../../models/encoder.js';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { SAMPLE_DOCUMENTS, testEngine } from '../helpers/engine.js';
import { postgresStore, testStores } from '../helpers/stores.js';

const VERSION = '1.2.3-test';
const ENCODER = 'hashed-ngram-v1';
const DEFAULT_CONFIG = { hnsw: { M: 16, efConstruction: 200 }, passages: { maxChars: 1000, overlapChars: 200 } };
const MODES = ['dense', 'bm25', 'hybrid'] as const;
type Mode = (typeof MODES)[number];

/** What the API returns per hit: the engine's own result type, so the test cannot drift from it. */
type SearchHit = SearchResult;
interface SearchBody {
  results: SearchHit[];
  query_lang: string | null;
  mode: Mode;
  took_ms: number;
}
interface CollectionBody {
  name: string;
  encoder: string;
  dim: number;
  config: typeof DEFAULT_CONFIG;
  createdAt: string;
  documents: number;
  passages: number;
  indexedVectors: number;
  search: { ef: number; efSource: string; calibration?: unknown };
  languages: Array<{ lang: string | null; documents: number }>;
}
interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** sw-1's text with one word changed ("nzima" → "yote"). */
const NEAR_SW1 = 'Maji safi ni muhimu kwa afya ya watoto na familia yote.';
/** en-1's text with one word changed ("whole" → "entire"). */
const NEAR_EN1 = 'Clean water is important for the health of children and the entire family.';

const sampleById = new Map(SAMPLE_DOCUMENTS.map((d) => [d.id, d]));

function app(engine: Engine, bodyLimit = '10mb'): Express {
  return createApp({ engine, logger: silentLogger, version: VERSION, bodyLimit });
}

function assertError(res: request.Response, status: number, code: string): void {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.body as ErrorBody;
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
}

/** Shape, ranks 1..n, non-increasing scores, and fields that agree with what was stored. */
function assertSearchResponse(body: SearchBody, mode: Mode, stored = sampleById): void {
  assert.deepEqual(Object.keys(body).sort(), ['mode', 'query_lang', 'results', 'took_ms']);
  assert.equal(body.mode, mode);
  assert.ok(typeof body.took_ms === 'number' && body.took_ms >= 0 && Number.isFinite(body.took_ms));
  assert.ok(body.query_lang === null || typeof body.query_lang === 'string');
  assert.ok(Array.isArray(body.results));
  const allowed = new Set(['id', 'passage_id', 'text', 'score', 'rank', 'lang', 'title', 'metadata']);
  body.results.forEach((r, i) => {
    for (const key of Object.keys(r)) assert.ok(allowed.has(key), `unexpected result field ${key}`);
    assert.equal(r.rank, i + 1);
    assert.equal(typeof r.id, 'string');
    assert.match(r.passage_id, /#\d+$/);
    assert.ok(r.passage_id.startsWith(`${r.id}#`), `passage_id ${r.passage_id} belongs to ${r.id}`);
    assert.equal(typeof r.text, 'string');
    assert.ok(r.text.length > 0);
    assert.ok(Number.isFinite(r.score), `score of ${r.id} is ${r.score}`);
    assert.ok(r.lang === null || typeof r.lang === 'string');
    if (i > 0) assert.ok(r.score <= body.results[i - 1]!.score, `scores must not increase: rank ${i} ${body.results[i - 1]!.score} < rank ${i + 1} ${r.score}`);
    const doc = stored.get(r.id);
    if (doc) {
      assert.equal(r.lang, doc.lang ?? null);
      assert.equal(r.title, doc.title);
      assert.deepEqual(r.metadata, doc.metadata);
      assert.ok(doc.text.includes(r.text), 'a passage is a slice of its document');
    }
  });
}

async function search(a: Express, collection: string, body: Record<string, unknown>, stored = sampleById): Promise<SearchBody> {
  const res = await request(a).post(`/v1/collections/${collection}/search`).send(body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const parsed = res.body as SearchBody;
  assertSearchResponse(parsed, (body.mode as Mode | undefined) ?? 'dense', stored);
  return parsed;
}

const ids = (body: SearchBody) => body.results.map((r) => r.id);
const idSet = (body: SearchBody) => new Set(ids(body));

after(() => postgresStore.stop());

for (const store of testStores()) describe(`HTTP API (${store.name} store)`, () => {
  let engine: Engine;
  let api: Express;

  before(async () => {
    engine = await store.freshEngine();
    api = app(engine);
    for (const name of ['docs', 'search']) {
      const created = await request(api).post('/v1/collections').send({ name });
      assert.equal(created.status, 201);
      const upserted = await request(api).post(`/v1/collections/${name}/documents`).send({ documents: SAMPLE_DOCUMENTS });
      assert.equal(upserted.status, 200);
    }
  });

  after(() => engine.close());

  describe('collections', () => {
    test('POST creates a collection with the default encoder and default config (201)', async () => {
      const res = await request(api).post('/v1/collections').send({ name: 'books' });
      assert.equal(res.status, 201);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      const body = res.body as CollectionBody;
      assert.equal(body.name, 'books');
      assert.equal(body.encoder, ENCODER);
      assert.equal(body.dim, 64);
      assert.deepEqual(body.config, DEFAULT_CONFIG);
      assert.equal(body.documents, 0);
      assert.equal(body.passages, 0);
      assert.equal(body.indexedVectors, 0);
      // No ef set, no calibration: the default for its size (PostgreSQL: pgvector's fixed default).
      assert.deepEqual(body.search, { ef: 64, efSource: store.name === 'postgres' ? 'store-default' : 'size-default' });
      assert.deepEqual(body.languages, []);
      assert.ok(!Number.isNaN(Date.parse(body.createdAt)), `createdAt ${body.createdAt}`);
    });

    test('a partial config is completed with defaults', async () => {
      const res = await request(api)
        .post('/v1/collections')
        .send({ name: 'tuned', encoder: ENCODER, config: { hnsw: { ef: 100 }, passages: { maxChars: 300 } } });
      assert.equal(res.status, 201);
      const body = res.body as CollectionBody;
      // The default overlap (200) is capped at half a passage.
      assert.deepEqual(body.config, { hnsw: { M: 16, efConstruction: 200, ef: 100 }, passages: { maxChars: 300, overlapChars: 150 } });
      const again = await request(api).get('/v1/collections/tuned');
      assert.deepEqual((again.body as CollectionBody).config, body.config);
    });

    test('a duplicate name is 409 COLLECTION_EXISTS and leaves the original untouched', async () => {
      const before = await request(api).get('/v1/collections/docs');
      const res = await request(api).post('/v1/collections').send({ name: 'docs', config: { hnsw: { ef: 7 } } });
      assertError(res, 409, 'COLLECTION_EXISTS');
      assert.match((res.body as ErrorBody).error.message, /docs/);
      const afterwards = await request(api).get('/v1/collections/docs');
      assert.deepEqual(afterwards.body, before.body);
    });

    test('GET /v1/collections lists every collection with counts', async () => {
      const res = await request(api).get('/v1/collections');
      assert.equal(res.status, 200);
      const { collections } = res.body as { collections: CollectionBody[] };
      const names = collections.map((c) => c.name);
      for (const name of ['books', 'docs', 'search', 'tuned']) assert.ok(names.includes(name), `${name} listed`);
      const search = collections.find((c) => c.name === 'search')!;
      assert.equal(search.documents, SAMPLE_DOCUMENTS.length);
      assert.equal(search.passages, SAMPLE_DOCUMENTS.length);
      assert.equal(search.indexedVectors, SAMPLE_DOCUMENTS.length);
      assert.equal(collections.find((c) => c.name === 'books')!.documents, 0);
    });

    test('GET /v1/collections/:name describes one collection with counts and languages', async () => {
      const res = await request(api).get('/v1/collections/search');
      assert.equal(res.status, 200);
      const body = res.body as CollectionBody;
      assert.equal(body.name, 'search');
      assert.equal(body.encoder, ENCODER);
      assert.equal(body.dim, 64);
      assert.deepEqual(body.config, DEFAULT_CONFIG);
      assert.equal(body.documents, 6);
      assert.equal(body.passages, 6);
      assert.equal(body.indexedVectors, 6);
      const languages = Object.fromEntries(body.languages.map((l) => [l.lang, l.documents]));
      assert.deepEqual(languages, { sw: 2, en: 2, ha: 1, am: 1 });
    });

    test('DELETE removes the collection: then 404 COLLECTION_NOT_FOUND everywhere, and a namesake starts empty', async () => {
      const created = await request(api).post('/v1/collections').send({ name: 'doomed' });
      assert.equal(created.status, 201);
      const up = await request(api).post('/v1/collections/doomed/documents').send({ documents: SAMPLE_DOCUMENTS });
      assert.equal(up.status, 200);

      assertError(await request(api).delete('/v1/collections/doomed'), 409, 'COLLECTION_NOT_EMPTY');
      assertError(await request(api).delete('/v1/collections/doomed?force=yes'), 400, 'INVALID_ARGUMENT');
      assert.equal((await request(api).get('/v1/collections/doomed')).body.documents, SAMPLE_DOCUMENTS.length, 'a refused delete changes nothing');
      const res = await request(api).delete('/v1/collections/doomed?force=true');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { deleted: 'doomed' });

      assertError(await request(api).get('/v1/collections/doomed'), 404, 'COLLECTION_NOT_FOUND');
      assertError(await request(api).delete('/v1/collections/doomed'), 404, 'COLLECTION_NOT_FOUND');
      assertError(await request(api).get('/v1/collections/doomed/documents/sw-1'), 404, 'COLLECTION_NOT_FOUND');
      assertError(await request(api).post('/v1/collections/doomed/search').send({ query: 'maji' }), 404, 'COLLECTION_NOT_FOUND');
      assertError(await request(api).post('/v1/collections/doomed/documents').send({ documents: SAMPLE_DOCUMENTS }), 404, 'COLLECTION_NOT_FOUND');
      const list = (await request(api).get('/v1/collections')).body as { collections: CollectionBody[] };
      assert.ok(!list.collections.some((c) => c.name === 'doomed'));

      // Recreated under the same name: nothing of the old one survives.
      const again = await request(api).post('/v1/collections').send({ name: 'doomed' });
      assert.equal(again.status, 201);
      assert.equal((again.body as CollectionBody).documents, 0);
      assert.equal((again.body as CollectionBody).indexedVectors, 0);
      for (const mode of MODES) {
        const found = await search(api, 'doomed', { query: SAMPLE_DOCUMENTS[0]!.text, mode, k: 100 });
        assert.deepEqual(found.results, [], `${mode} finds nothing in the new namesake`);
      }
      assertError(await request(api).get('/v1/collections/doomed/documents/sw-1'), 404, 'DOCUMENT_NOT_FOUND');

      // Other collections are unaffected.
      assert.equal(((await request(api).get('/v1/collections/search')).body as CollectionBody).documents, 6);
    });
  });

  describe('documents', () => {
    test('re-upserting identical documents reports them all unchanged and writes no passages', async () => {
      const res = await request(api).post('/v1/collections/docs/documents').send({ documents: SAMPLE_DOCUMENTS });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { upserted: 0, unchanged: SAMPLE_DOCUMENTS.length, passages: 0 });
      const info = (await request(api).get('/v1/collections/docs')).body as CollectionBody;
      assert.equal(info.documents, 6);
      assert.equal(info.passages, 6);
      assert.equal(info.indexedVectors, 6);
    });

    test('a new collection reports {upserted, unchanged, passages} for a fresh batch', async () => {
      await request(api).post('/v1/collections').send({ name: 'fresh' }).expect(201);
      const res = await request(api).post('/v1/collections/fresh/documents').send({ documents: SAMPLE_DOCUMENTS.slice(0, 3) });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { upserted: 3, unchanged: 0, passages: 3 });
      const mixed = await request(api).post('/v1/collections/fresh/documents').send({ documents: SAMPLE_DOCUMENTS });
      assert.deepEqual(mixed.body, { upserted: 3, unchanged: 3, passages: 3 });
    });

    test('GET returns the stored document', async () => {
      const res = await request(api).get('/v1/collections/docs/documents/ha-1');
      assert.equal(res.status, 200);
      const doc = sampleById.get('ha-1')!;
      const body = res.body as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), ['id', 'lang', 'metadata', 'passages', 'text', 'title', 'updatedAt']);
      assert.equal(body.id, 'ha-1');
      assert.equal(body.text, doc.text);
      assert.equal(body.lang, 'ha');
      assert.equal(body.title, doc.title);
      assert.deepEqual(body.metadata, doc.metadata);
      assert.equal(body.passages, 1);
      assert.ok(!Number.isNaN(Date.parse(String(body.updatedAt))));
    });

    test('a document without lang/title/metadata is stored with nulls, and ids may contain URL-special characters', async () => {
      const id = 'dir/file name?#1';
      const res = await request(api).post('/v1/collections/docs/documents').send({ documents: [{ id, text: 'Plain text without extras.' }] });
      assert.deepEqual(res.body, { upserted: 1, unchanged: 0, passages: 1 });
      const got = await request(api).get(`/v1/collections/docs/documents/${encodeURIComponent(id)}`);
      assert.equal(got.status, 200);
      const body = got.body as Record<string, unknown>;
      assert.equal(body.id, id);
      assert.equal(body.lang, null);
      assert.equal(body.title, null);
      assert.equal(body.metadata, null);
      const del = await request(api).delete(`/v1/collections/docs/documents/${encodeURIComponent(id)}`);
      assert.deepEqual(del.body, { deleted: id });
    });

    test('changed text is re-encoded: the old passage is gone from every search mode and the new one is found', async () => {
      await request(api).post('/v1/collections').send({ name: 'edits' }).expect(201);
      await request(api).post('/v1/collections/edits/documents').send({ documents: SAMPLE_DOCUMENTS }).expect(200);
      const oldText = sampleById.get('en-2')!.text;
      const newText = 'Fishermen mend their nets on the shore of the lake at dawn.';
      const changed = SAMPLE_DOCUMENTS.map((d) => (d.id === 'en-2' ? { ...d, text: newText } : d));
      const res = await request(api).post('/v1/collections/edits/documents').send({ documents: changed });
      assert.deepEqual(res.body, { upserted: 1, unchanged: 5, passages: 1 });

      const got = (await request(api).get('/v1/collections/edits/documents/en-2')).body as { text: string; passages: number };
      assert.equal(got.text, newText);
      assert.equal(got.passages, 1);
      const info = (await request(api).get('/v1/collections/edits')).body as CollectionBody;
      assert.equal(info.documents, 6);
      assert.equal(info.passages, 6);
      assert.equal(info.indexedVectors, 6, 'the old vector was removed from the ANN index');

      const stored = new Map(sampleById);
      stored.set('en-2', { ...sampleById.get('en-2')!, text: newText });
      for (const mode of MODES) {
        const found = await request(api).post('/v1/collections/edits/search').send({ query: newText, mode, k: 100 });
        assertSearchResponse(found.body as SearchBody, mode, stored);
        assert.equal((found.body as SearchBody).results[0]?.id, 'en-2', `${mode}: the new text is found first`);
        const old = await request(api).post('/v1/collections/edits/search').send({ query: oldText, mode, k: 100 });
        assert.ok(!(old.body as SearchBody).results.some((r) => r.text === oldText), `${mode}: the old text is gone`);
      }
    });

    test('a metadata-only change is unchanged (not re-encoded) but the new fields are stored and filterable; a title change re-encodes', async () => {
      await request(api).post('/v1/collections').send({ name: 'meta' }).expect(201);
      await request(api).post('/v1/collections/meta/documents').send({ documents: SAMPLE_DOCUMENTS }).expect(200);
      const edited = { ...sampleById.get('am-1')!, metadata: { topic: 'water', year: 2025 } };
      const res = await request(api).post('/v1/collections/meta/documents').send({ documents: [edited] });
      assert.deepEqual(res.body, { upserted: 0, unchanged: 1, passages: 0 });
      const got = (await request(api).get('/v1/collections/meta/documents/am-1')).body as Record<string, unknown>;
      assert.equal(got.title, edited.title);
      assert.deepEqual(got.metadata, { topic: 'water', year: 2025 });
      const stored = new Map(sampleById);
      stored.set('am-1', edited);
      const found = await search(api, 'meta', { query: 'water', k: 100, filter: { metadata: { topic: 'water' } } }, stored);
      assert.deepEqual(ids(found), ['am-1']);
      assert.deepEqual(found.results[0]!.metadata, { topic: 'water', year: 2025 });
      // A new title is encoded with the text (indexer/titles.ts): that is a change.
      const retitled = await request(api).post('/v1/collections/meta/documents').send({ documents: [{ ...edited, title: 'Water (am)' }] });
      assert.deepEqual(retitled.body, { upserted: 1, unchanged: 0, passages: 1 });
    });

    test('long documents are split by the collection passage config', async () => {
      await request(api)
        .post('/v1/collections')
        .send({ name: 'split', config: { passages: { maxChars: 80, overlapChars: 0 } } })
        .expect(201);
      const text = SAMPLE_DOCUMENTS.slice(0, 4).map((d) => d.text).join(' ');
      const res = await request(api).post('/v1/collections/split/documents').send({ documents: [{ id: 'long', text, lang: 'sw' }] });
      assert.equal(res.status, 200);
      const { passages } = res.body as { passages: number };
      assert.equal(passages, 4, 'four sentences of 49-74 characters, no two fit in 80, no overlap');
      const doc = (await request(api).get('/v1/collections/split/documents/long')).body as { passages: number };
      assert.equal(doc.passages, 4);
      const found = await search(api, 'split', { query: SAMPLE_DOCUMENTS[2]!.text, k: 10 });
      assert.equal(found.results.length, 4);
      assert.deepEqual(new Set(found.results.map((r) => r.passage_id)), new Set(['long#0', 'long#1', 'long#2', 'long#3']));
      assert.equal(found.results[0]!.passage_id, 'long#2');
      assert.equal(found.results[0]!.text, SAMPLE_DOCUMENTS[2]!.text);
    });

    test('DELETE removes a document: GET is 404 DOCUMENT_NOT_FOUND and no search mode ever returns it again', async () => {
      const res = await request(api).delete('/v1/collections/docs/documents/sw-2');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { deleted: 'sw-2' });
      assertError(await request(api).get('/v1/collections/docs/documents/sw-2'), 404, 'DOCUMENT_NOT_FOUND');
      assertError(await request(api).delete('/v1/collections/docs/documents/sw-2'), 404, 'DOCUMENT_NOT_FOUND');

      const info = (await request(api).get('/v1/collections/docs')).body as CollectionBody;
      assert.equal(info.documents, 5);
      assert.equal(info.passages, 5);
      assert.equal(info.indexedVectors, 5, 'the ANN index dropped the deleted passage');

      const text = sampleById.get('sw-2')!.text;
      for (const mode of MODES) {
        for (const body of [
          { query: text, mode, k: 1000 },
          { query: text, mode, k: 1000, filter: { lang: 'sw' } },
          { query: text, mode, k: 1000, filter: { metadata: { topic: 'farming' } } },
        ]) {
          const found = await search(api, 'docs', body);
          assert.ok(!ids(found).includes('sw-2'), `${mode} ${JSON.stringify(body.filter ?? {})} must not return the deleted document`);
        }
      }
      const dense = await search(api, 'docs', { query: text, k: 1000 });
      assert.deepEqual(idSet(dense), new Set(['sw-1', 'en-1', 'en-2', 'ha-1', 'am-1']));
      // Deleting a document does not touch a namesake in another collection.
      assert.equal((await request(api).get('/v1/collections/search/documents/sw-2')).status, 200);
    });

    test('GET or DELETE of an unknown document is 404 DOCUMENT_NOT_FOUND', async () => {
      assertError(await request(api).get('/v1/collections/docs/documents/nope'), 404, 'DOCUMENT_NOT_FOUND');
      assertError(await request(api).delete('/v1/collections/docs/documents/nope'), 404, 'DOCUMENT_NOT_FOUND');
    });
  });

  describe('search', () => {
    for (const mode of MODES) {
      test(`${mode}: response shape, ranks 1..n, non-increasing scores; a near-duplicate finds its document first`, async () => {
        const sw = await search(api, 'search', { query: NEAR_SW1, mode, k: 5 });
        assert.equal(sw.mode, mode);
        assert.ok(sw.results.length >= 1 && sw.results.length <= 5);
        assert.equal(sw.results[0]!.id, 'sw-1');
        assert.equal(sw.results[0]!.passage_id, 'sw-1#0');
        assert.equal(sw.results[0]!.text, sampleById.get('sw-1')!.text);
        assert.equal(sw.results[0]!.title, 'Maji');
        assert.deepEqual(sw.results[0]!.metadata, { topic: 'health', year: 2024 });
        assert.equal(sw.results[0]!.lang, 'sw');
        assert.equal(new Set(ids(sw)).size, sw.results.length, 'one passage per document here, so no repeats');

        const en = await search(api, 'search', { query: NEAR_EN1, mode, k: 3 });
        assert.equal(en.results[0]!.id, 'en-1');
        assert.ok(en.results.length <= 3);
      });
    }

    test('k limits the number of results', async () => {
      for (const k of [1, 2, 4]) {
        const found = await search(api, 'search', { query: NEAR_SW1, k });
        assert.equal(found.results.length, k);
        assert.equal(found.results[0]!.id, 'sw-1');
      }
    });

    test('k larger than the collection returns every passage once (dense and hybrid)', async () => {
      for (const mode of ['dense', 'hybrid'] as const) {
        const found = await search(api, 'search', { query: 'water', mode, k: 1000 });
        assert.equal(found.results.length, SAMPLE_DOCUMENTS.length, mode);
        assert.deepEqual(idSet(found), new Set(sampleById.keys()));
      }
      const bm25 = await search(api, 'search', { query: 'maji water ruwa', mode: 'bm25', k: 1000 });
      assert.deepEqual(idSet(bm25), new Set(['sw-1', 'en-1', 'ha-1']), 'bm25 returns only passages containing a query word');
    });

    test('the default mode is dense and the default k is 10', async () => {
      const found = await search(api, 'search', { query: NEAR_SW1 });
      assert.equal(found.mode, 'dense');
      assert.equal(found.results.length, 6);
    });

    test('lang in the request sets query_lang', async () => {
      const found = await search(api, 'search', { query: NEAR_SW1, lang: 'sw' });
      assert.equal(found.query_lang, 'sw');
      assert.equal(found.results[0]!.id, 'sw-1');
    });

    test('bm25 with no word in common returns no results (not an error)', async () => {
      const found = await search(api, 'search', { query: 'zzzqqq xxyyzz', mode: 'bm25' });
      assert.deepEqual(found.results, []);
    });

    describe('filters', () => {
      const cases: Array<{ name: string; filter: Record<string, unknown>; expected: string[] }> = [
        { name: 'lang string', filter: { lang: 'sw' }, expected: ['sw-1', 'sw-2'] },
        { name: 'lang array', filter: { lang: ['sw', 'ha'] }, expected: ['sw-1', 'sw-2', 'ha-1'] },
        { name: 'lang array of one', filter: { lang: ['am'] }, expected: ['am-1'] },
        { name: 'metadata string', filter: { metadata: { topic: 'farming' } }, expected: ['sw-2', 'en-2'] },
        { name: 'metadata number', filter: { metadata: { year: 2024 } }, expected: ['sw-1', 'en-1'] },
        { name: 'metadata number (other value)', filter: { metadata: { year: 2022 } }, expected: ['en-2'] },
        { name: 'metadata boolean true', filter: { metadata: { reviewed: true } }, expected: ['ha-1'] },
        { name: 'metadata boolean false matches nothing', filter: { metadata: { reviewed: false } }, expected: [] },
        { name: 'two metadata keys (AND)', filter: { metadata: { topic: 'health', year: 2024 } }, expected: ['sw-1', 'en-1'] },
        { name: 'lang and metadata (AND)', filter: { lang: 'en', metadata: { topic: 'health' } }, expected: ['en-1'] },
        { name: 'unknown lang', filter: { lang: 'yo' }, expected: [] },
        { name: 'unknown metadata key', filter: { metadata: { color: 'blue' } }, expected: [] },
      ];
      for (const { name, filter, expected } of cases) {
        test(`${name}: dense returns exactly the matching documents`, async () => {
          const found = await search(api, 'search', { query: 'water health maji', k: 1000, filter });
          assert.deepEqual(idSet(found), new Set(expected));
          assert.equal(found.results.length, expected.length);
        });
      }

      test('metadata comparisons are typed: "2024" on a key holding numbers is a 400 naming the stored type, not an empty answer', async () => {
        const res = await request(api).post('/v1/collections/search/search').send({ query: 'water', filter: { metadata: { year: '2024' } } });
        assertError(res, 400, 'INVALID_ARGUMENT');
        assert.match((res.body as { error: { message: string } }).error.message, /"year" holds only number values/);
      });

      test('bm25 and hybrid honour the filter too', async () => {
        const query = 'maji water ruwa wakulima farmers';
        for (const mode of ['bm25', 'hybrid'] as const) {
          const health = await search(api, 'search', { query, mode, k: 1000, filter: { metadata: { topic: 'health' } } });
          assert.ok(health.results.length > 0, mode);
          for (const r of health.results) assert.equal(r.metadata?.topic, 'health', `${mode}: ${r.id}`);
          const sw = await search(api, 'search', { query, mode, k: 1000, filter: { lang: ['sw'] } });
          assert.ok(sw.results.length > 0, mode);
          for (const r of sw.results) assert.equal(r.lang, 'sw', `${mode}: ${r.id}`);
          const year = await search(api, 'search', { query, mode, k: 1000, filter: { metadata: { year: 2023 } } });
          assert.deepEqual(ids(year), ['sw-2'], mode);
        }
      });
    });
  });

  describe('service endpoints', () => {
    test('GET /healthz', async () => {
      const res = await request(api).get('/healthz');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ok' });
    });

    test('GET /v1/info: version, encoders with name and dim, collections', async () => {
      const res = await request(api).get('/v1/info');
      assert.equal(res.status, 200);
      const body = res.body as {
        name: string;
        version: string;
        encoders: Array<{ name: string; dim: number; description: string }>;
        default_encoder: string;
        language_identifier: string;
        store: { kind: string; text_ranking: string; text_ranking_engine: string };
        collections: Array<{ name: string; encoder: string; documents: number; passages: number }>;
      };
      assert.equal(body.name, 'tafuta');
      assert.equal(body.version, VERSION);
      assert.equal(body.encoders.length, 1);
      assert.equal(body.encoders[0]!.name, ENCODER);
      assert.equal(body.encoders[0]!.dim, 64);
      assert.equal(typeof body.encoders[0]!.description, 'string');
      assert.equal(body.default_encoder, ENCODER);
      assert.equal(typeof body.language_identifier, 'string');
      assert.equal(body.store.kind, store.name);
      assert.equal(body.store.text_ranking, store.name === 'sqlite' ? 'bm25' : engine.storageInfo.textRanking.kind);
      const search = body.collections.find((c) => c.name === 'search');
      assert.deepEqual(search, { name: 'search', encoder: ENCODER, documents: 6, passages: 6 });
      const listed = ((await request(api).get('/v1/collections')).body as { collections: CollectionBody[] }).collections.map((c) => c.name);
      assert.deepEqual(body.collections.map((c) => c.name), listed);
    });

    test('GET /metrics: Prometheus text with request counters by route and per-collection gauges', async () => {
      await request(api).get('/healthz').expect(200);
      await request(api).get('/v1/collections/nope').expect(404);
      const res = await request(api).get('/metrics');
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      const text = res.text;
      assert.match(text, /^# TYPE tafuta_http_requests_total counter$/m);
      const counter = (method: string, route: string, status: number): number | undefined => {
        const line = text
          .split('\n')
          .find(
            (l) =>
              l.startsWith('tafuta_http_requests_total{') &&
              l.includes(`method="${method}"`) &&
              l.includes(`route="${route}"`) &&
              l.includes(`status="${status}"`),
          );
        return line === undefined ? undefined : Number(line.split(' ').at(-1));
      };
      assert.ok((counter('GET', '/healthz', 200) ?? 0) >= 2);
      assert.ok((counter('POST', '/v1/collections/:name/search', 200) ?? 0) >= 1, 'routes are labelled by pattern, not raw path');
      assert.ok((counter('GET', '/v1/collections/:name', 404) ?? 0) >= 1);
      assert.match(text, /^tafuta_collection_passages\{collection="search"\} 6$/m);
      assert.match(text, /^tafuta_collection_documents\{collection="search"\} 6$/m);
      assert.match(text, /^tafuta_index_vectors\{collection="search"\} 6$/m);
      assert.match(text, /^tafuta_search_ef\{collection="search"\} 64$/m, "a small collection: the size default");
      assert.doesNotMatch(text, /collection="doomed-never-created"/);
    });
  });
});

for (const store of testStores()) describe(`restart (${store.name} store)`, () => {
  test('an engine opened again on the same store keeps every collection and finds every acknowledged write, deletion and metadata change', async () => {
    const first = await store.freshEngine();
    const api = app(first);
    await request(api).post('/v1/collections').send({ name: 'kept' }).expect(201);
    await request(api).post('/v1/collections/kept/documents').send({ documents: SAMPLE_DOCUMENTS }).expect(200);
    await request(api).delete('/v1/collections/kept/documents/en-2').expect(200);
    await request(api).patch('/v1/collections/kept/documents/sw-2').send({ metadata: { topic: 'kilimo' } }).expect(200);
    const before = ((await request(api).post('/v1/collections/kept/search').send({ query: NEAR_SW1, mode: 'hybrid', k: 10 })).body as SearchBody).results;
    const collectionsBefore = (await request(api).get('/v1/collections').expect(200)).body as unknown;
    const documentsBefore = (await request(api).get('/v1/collections/kept/documents?limit=100').expect(200)).body as unknown;
    await first.close();
    const again = await store.sameStoreEngine();
    try {
      const reopened = app(again);
      const after = ((await request(reopened).post('/v1/collections/kept/search').send({ query: NEAR_SW1, mode: 'hybrid', k: 10 })).body as SearchBody).results;
      assert.deepEqual(after.map((r) => r.passage_id), before.map((r) => r.passage_id));
      assert.equal(after[0]!.id, 'sw-1');
      assert.ok(!after.some((r) => r.id === 'en-2'));
      const filtered = (await request(reopened).post('/v1/collections/kept/search').send({ query: 'mahindi', filter: { metadata: { topic: 'kilimo' } } })).body as SearchBody;
      assert.deepEqual(ids(filtered), ['sw-2']);
      assert.equal(((await request(reopened).get('/v1/collections/kept')).body as CollectionBody).documents, SAMPLE_DOCUMENTS.length - 1);
      assert.deepEqual((await request(reopened).get('/v1/collections').expect(200)).body, collectionsBefore, 'every collection, with its config and counts');
      assert.deepEqual((await request(reopened).get('/v1/collections/kept/documents?limit=100').expect(200)).body, documentsBefore, 'every document, as it was');
    } finally {
      await again.close();
    }
  });
});

describe('startWebServer', () => {
  let engine: Engine;
  before(() => {
    engine = testEngine(undefined);
  });
  after(() => engine.close());

  test('listens on an ephemeral port, answers /healthz over HTTP, and stops cleanly', async () => {
    const server = await startWebServer({ engine, logger: silentLogger, version: VERSION, host: '127.0.0.1', port: 0, bodyLimit: '1mb' });
    let stopped = false;
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(server.url, 'http://127.0.0.1:0');
      const res = await fetch(`${server.url}/healthz`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
      const info = await fetch(`${server.url}/v1/info`);
      assert.equal(((await info.json()) as { version: string }).version, VERSION);

      const first = server.stop();
      assert.equal(server.stop(), first, 'stop() is idempotent');
      await first;
      stopped = true;
      assert.equal(server.server.listening, false);
      await assert.rejects(fetch(`${server.url}/healthz`));
    } finally {
      if (!stopped) await server.stop();
    }
  });
});

/**
 * Writes that race a concurrent change. The encoder is gated so the interleaving is deterministic: the upsert
 * decides which documents are unchanged, then waits in `embed` while another request changes the store.
 */
describe('concurrent writes', () => {
  let engine: Engine;
  let api: Express;
  let gate: Promise<void> | undefined;
  let release: () => void = () => {};
  const base = createHashedNgramEncoder({ dim: 64 });
  const gated: Encoder = {
    info: base.info,
    async embed(texts, options) {
      if (gate && options.kind === 'passage' && texts.some((t) => t.includes('GATED'))) await gate;
      return base.embed(texts, options);
    },
  };

  before(() => {
    engine = testEngine(undefined, [gated]);
    api = app(engine);
  });
  after(() => {
    release();
    engine.close();
  });

  async function upsertWhile(collection: string, documents: object[], meanwhile: () => Promise<void>): Promise<request.Response> {
    gate = new Promise((resolve) => (release = resolve));
    const pending = request(api).post(`/v1/collections/${collection}/documents`).send({ documents }).then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 30)); // the upsert is now parked in embed()
    // The competing writes start while the upsert is parked; they may have to wait for it (writes to one
    // collection are serialised), so the gate opens without waiting for them to finish.
    const competing = meanwhile();
    await new Promise((resolve) => setTimeout(resolve, 30));
    gate = undefined;
    release();
    await competing;
    return pending;
  }

  test(
    'a document deleted while a batch that contains it unchanged is encoding: no 500, and the batch is not lost',
    async () => {
      await request(api).post('/v1/collections').send({ name: 'race1' }).expect(201);
      await request(api).post('/v1/collections/race1/documents').send({ documents: [{ id: 'a', text: 'alpha one' }] }).expect(200);
      const res = await upsertWhile('race1', [{ id: 'a', text: 'alpha one', title: 'A' }, { id: 'b', text: 'GATED beta two' }], async () => {
        await request(api).delete('/v1/collections/race1/documents/a').expect(200);
      });
      assert.ok(res.status < 500, `got ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status === 200) assert.equal((await request(api).get('/v1/collections/race1/documents/b')).status, 200);
    },
  );

  test(
    'a collection dropped and recreated while a batch is encoding: 404 (retry) or a correct write, never 500',
    async () => {
      await request(api).post('/v1/collections').send({ name: 'race2' }).expect(201);
      await request(api).post('/v1/collections/race2/documents').send({ documents: [{ id: 'a', text: 'alpha one' }] }).expect(200);
      const res = await upsertWhile('race2', [{ id: 'a', text: 'alpha one' }, { id: 'b', text: 'GATED beta two' }], async () => {
        await request(api).delete('/v1/collections/race2?force=true').expect(200);
        await request(api).post('/v1/collections').send({ name: 'race2' }).expect(201);
      });
      assert.ok(res.status === 404 || res.status === 200, `got ${res.status} ${JSON.stringify(res.body)}`);
      if (res.status === 404) assert.equal((res.body as ErrorBody).error.code, 'COLLECTION_NOT_FOUND');
    },
  );

  test(
    'a document rewritten while a batch that holds it unchanged is encoding: the result is one request\'s version, not a mix',
    async () => {
      await request(api).post('/v1/collections').send({ name: 'race3' }).expect(201);
      await request(api)
        .post('/v1/collections/race3/documents')
        .send({ documents: [{ id: 'a', text: 'alpha one', title: 'v1' }] })
        .expect(200);
      const res = await upsertWhile('race3', [{ id: 'a', text: 'alpha one', title: 'v1-again' }, { id: 'b', text: 'GATED beta two' }], async () => {
        await request(api).post('/v1/collections/race3/documents').send({ documents: [{ id: 'a', text: 'alpha CHANGED', title: 'v2' }] }).expect(200);
      });
      assert.equal(res.status, 200);
      const doc = (await request(api).get('/v1/collections/race3/documents/a')).body as { text: string; title: string };
      const versions = [JSON.stringify({ text: 'alpha one', title: 'v1-again' }), JSON.stringify({ text: 'alpha CHANGED', title: 'v2' })];
      assert.ok(versions.includes(JSON.stringify({ text: doc.text, title: doc.title })), `stored a mix: ${JSON.stringify(doc)}`);
    },
  );
});
