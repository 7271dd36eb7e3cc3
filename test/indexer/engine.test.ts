import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../indexer/engine.js';
import { createSqliteStorage } from '../../indexer/sqlite/storage.js';
import { silentLogger } from '../../core/logger.js';
import { createHeuristicLanguageIdentifier } from '../../models/langid/identifier.js';
import { createEncoderRegistry } from '../../models/registry.js';
import { ANN_LIBRARIES, loadGraphStore, type GraphChoice, type GraphStore } from '../../indexer/graph-store.js';
import { resolveMode, type SearchRequest } from '../../indexer/search.js';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import type { Encoder } from '../../models/encoder.js';
import { SAMPLE_DOCUMENTS, sqliteStorageOf, sqliteStoreOf, tempDir, testEngine } from '../helpers/engine.js';

const search = (engine: Engine, query: string, extra: Partial<SearchRequest> = {}) =>
  engine.search('c', { query, k: 10, mode: 'dense', ...extra });

async function seeded(dataDir?: string, graph?: GraphChoice): Promise<Engine> {
  const engine = testEngine(dataDir, undefined, graph);
  await engine.createCollection('c');
  await engine.upsertDocuments('c', SAMPLE_DOCUMENTS);
  return engine;
}

test('index → search round trip: a near-duplicate query returns the exact document first', async () => {
  const engine = await seeded();
  for (const doc of SAMPLE_DOCUMENTS) {
    const words = doc.text.split(' ');
    words[1] = 'tofauti';
    const { results } = await search(engine, words.join(' '));
    assert.equal(results[0]!.id, doc.id, `query for ${doc.id}`);
    assert.equal(results[0]!.rank, 1);
    assert.equal(results[0]!.passage_id, `${doc.id}#0`);
  }
  const { results, query_lang } = await search(engine, 'Maji safi ni muhimu kwa afya');
  assert.equal(query_lang, 'sw');
  assert.deepEqual(results.map((r) => r.rank), results.map((_, i) => i + 1));
  for (let i = 1; i < results.length; i++) assert.ok(results[i - 1]!.score >= results[i]!.score);
  assert.equal(results[0]!.title, 'Maji');
  assert.deepEqual(results[0]!.metadata, { topic: 'health', year: 2024 });
  engine.close();
});

test('update replaces passages; delete is never returned again; unchanged documents are not re-encoded', async () => {
  const engine = await seeded();
  const again = await engine.upsertDocuments('c', SAMPLE_DOCUMENTS);
  assert.deepEqual(again, { upserted: 0, unchanged: SAMPLE_DOCUMENTS.length, passages: 0 });

  await engine.upsertDocuments('c', [{ id: 'sw-1', lang: 'sw', text: 'Shule inafunguliwa kesho asubuhi kwa wanafunzi wote.' }]);
  const doc = await engine.getDocument('c', 'sw-1');
  assert.match(doc.text, /^Shule/);
  assert.equal(doc.metadata, null, 'an upsert replaces the whole document');
  const old = await search(engine, 'Maji safi ni muhimu kwa afya ya watoto na familia nzima.');
  assert.notEqual(old.results[0]!.text, SAMPLE_DOCUMENTS[0]!.text);
  assert.ok(!old.results.some((r) => r.text.startsWith('Maji safi')), 'old passage text is gone');

  await engine.deleteDocument('c', 'en-1');
  for (const mode of ['dense', 'bm25', 'hybrid'] as const) {
    const { results } = await search(engine, SAMPLE_DOCUMENTS[2]!.text, { mode, k: 100 });
    assert.ok(!results.some((r) => r.id === 'en-1'), `deleted document returned by ${mode}`);
  }
  await assert.rejects(async () => engine.getDocument('c', 'en-1'), { code: 'DOCUMENT_NOT_FOUND' });
  await assert.rejects(engine.deleteDocument('c', 'en-1'), { code: 'DOCUMENT_NOT_FOUND' });
  assert.equal((await engine.getCollection('c')).indexedVectors, (await engine.getCollection('c')).passages);
  engine.close();
});

test('repeated updates do not grow the hnswlib index: deleted slots are reused', async () => {
  const engine = testEngine(undefined, undefined, { library: 'hnswlib' });
  await engine.createCollection('c');
  for (let round = 0; round < 20; round++) {
    await engine.upsertDocuments('c', SAMPLE_DOCUMENTS.map((d) => ({ ...d, text: `${d.text} toleo ${round}` })));
  }
  const info = await engine.getCollection('c');
  assert.equal(info.passages, SAMPLE_DOCUMENTS.length);
  assert.equal(info.indexedVectors, SAMPLE_DOCUMENTS.length);
  const store = sqliteStorageOf(engine).indexOf(sqliteStoreOf(engine).requireCollection('c')).vectorStore;
  assert.ok(store.elements <= 2 * SAMPLE_DOCUMENTS.length, `index holds ${store.elements} slots`);
  engine.close();
});

test('BM25 and hybrid modes rank by word overlap and fuse both lists', async () => {
  const engine = await seeded();
  const bm25 = await search(engine, 'mahindi masika', { mode: 'bm25' });
  assert.equal(bm25.results[0]!.id, 'sw-2');
  assert.equal(bm25.results.length, 1, 'BM25 only returns passages containing a query word');
  const none = await search(engine, '%s', { mode: 'bm25' });
  assert.deepEqual(none.results, []);
  const hybrid = await search(engine, 'Farmers plant maize', { mode: 'hybrid' });
  assert.equal(hybrid.results[0]!.id, 'en-2');
  assert.equal(hybrid.mode, 'hybrid');
  assert.ok(hybrid.results.length > 1, 'hybrid includes dense-only hits');
  engine.close();
});

test('filters: lang (one or many) and metadata equality, in every mode', async () => {
  const engine = await seeded();
  for (const mode of ['dense', 'bm25', 'hybrid'] as const) {
    const sw = await search(engine, 'maji water ruwa', { mode, filter: { lang: 'sw' } });
    assert.ok(sw.results.every((r) => r.lang === 'sw'), mode);
    const many = await search(engine, 'maji water ruwa', { mode, filter: { lang: ['sw', 'ha'] } });
    assert.ok(many.results.every((r) => r.lang === 'sw' || r.lang === 'ha'), mode);
  }
  const health = await search(engine, 'water', { filter: { metadata: { topic: 'health' } } });
  assert.deepEqual(new Set(health.results.map((r) => r.id)), new Set(['sw-1', 'en-1', 'ha-1', 'am-1']));
  const year = await search(engine, 'water', { filter: { metadata: { year: 2024 }, lang: 'en' } });
  assert.deepEqual(year.results.map((r) => r.id), ['en-1']);
  const reviewed = await search(engine, 'water', { filter: { metadata: { reviewed: true } } });
  assert.deepEqual(reviewed.results.map((r) => r.id), ['ha-1']);
  const nothing = await search(engine, 'water', { filter: { metadata: { topic: 'sports' } } });
  assert.deepEqual(nothing.results, []);
  engine.close();
});

for (const library of ANN_LIBRARIES) {
const graph: GraphChoice = { library };
const extension = library === 'usearch' ? 'usearch' : 'hnsw';

test(`${library}: the index is rebuilt from SQLite when its file is deleted or corrupted`, async () => {
  const dir = tempDir();
  const expected = await (async () => {
    const engine = await seeded(dir, graph);
    const r = await search(engine, 'Clean water for children');
    engine.close();
    return r.results.map((x) => [x.id, x.score.toFixed(5)]);
  })();
  const indexFile = path.join(dir, 'indexes', `c.${extension}`);
  assert.ok(fs.existsSync(indexFile), 'close() saved the index');

  fs.rmSync(indexFile);
  let engine = testEngine(dir, undefined, graph);
  assert.deepEqual((await search(engine, 'Clean water for children')).results.map((x) => [x.id, x.score.toFixed(5)]), expected);
  engine.close();

  const bytes = fs.readFileSync(indexFile);
  const middle = Math.floor(bytes.length / 2);
  bytes[middle] = bytes[middle]! ^ 0xff;
  fs.writeFileSync(indexFile, bytes);
  assert.ok(loadGraphStore(graph, { base: path.join(dir, 'indexes', 'c'), dim: 64, params: { M: 16, efConstruction: 200, ef: 64 } }).reason?.includes('checksum'));
  engine = testEngine(dir, undefined, graph);
  assert.deepEqual((await search(engine, 'Clean water for children')).results.map((x) => [x.id, x.score.toFixed(5)]), expected);
  engine.close();

  fs.writeFileSync(path.join(dir, 'indexes', 'c.manifest.json'), '{not json');
  engine = testEngine(dir, undefined, graph);
  assert.equal((await engine.getCollection('c')).indexedVectors, SAMPLE_DOCUMENTS.length);
  engine.close();
});

test(`${library}: a stale index (saved before later writes, e.g. after a crash) catches up from the change log`, async () => {
  const dir = tempDir();
  const engine = await seeded(dir, graph);
  engine.saveIndexes();
  const staleManifest = fs.readFileSync(path.join(dir, 'indexes', 'c.manifest.json'), 'utf8');
  const staleIndex = fs.readFileSync(path.join(dir, 'indexes', `c.${extension}`));
  await engine.upsertDocuments('c', [{ id: 'new', lang: 'sw', text: 'Mvua kubwa imenyesha usiku kucha.' }]);
  await engine.deleteDocument('c', 'sw-2');
  engine.close();
  // Simulate a crash: put back the index as it was before the last writes.
  fs.writeFileSync(path.join(dir, 'indexes', `c.${extension}`), staleIndex);
  fs.writeFileSync(path.join(dir, 'indexes', 'c.manifest.json'), staleManifest);

  const restarted = testEngine(dir, undefined, graph);
  const { results } = await restarted.search('c', { query: 'Mvua kubwa imenyesha usiku', k: 10, mode: 'dense' });
  assert.equal(results[0]!.id, 'new');
  assert.ok(!results.some((r) => r.id === 'sw-2'));
  assert.equal((await restarted.getCollection('c')).indexedVectors, (await restarted.getCollection('c')).passages);
  restarted.close();
});
}

test('writes from another process (a second engine on the same data dir) are seen by searches', async () => {
  const dir = tempDir();
  const server = await seeded(dir);
  const cli = testEngine(dir);
  await cli.upsertDocuments('c', [{ id: 'from-cli', lang: 'en', text: 'Solar lamps help students read at night.' }]);
  await cli.deleteDocument('c', 'en-2');
  cli.close();
  const { results } = await search(server, 'Solar lamps help students read at night', { k: 20 });
  assert.equal(results[0]!.id, 'from-cli');
  assert.ok(!results.some((r) => r.id === 'en-2'));
  server.close();
});

test('a failed batch writes nothing; collections are independent and deletable', async () => {
  const engine = await seeded();
  const before = await engine.getCollection('c');
  await assert.rejects(
    engine.upsertDocuments('c', [{ id: 'x', text: 'moja' }, { id: 'x', text: 'mbili' }]),
    { code: 'INVALID_ARGUMENT' },
  );
  assert.deepEqual(await engine.getCollection('c'), before);
  await assert.rejects(async () => engine.createCollection('c'), { code: 'COLLECTION_EXISTS' });
  await assert.rejects(async () => engine.createCollection('d', { encoder: 'nope' }), { code: 'UNKNOWN_ENCODER' });
  await assert.rejects(async () => engine.createCollection('d', { config: { hnsw: { ef: 0 } } }), { code: 'INVALID_ARGUMENT' });
  await engine.createCollection('d', { config: { hnsw: { ef: 128 } } });
  assert.equal((await engine.getCollection('d')).config.hnsw.ef, 128);
  assert.equal((await engine.getCollection('d')).documents, 0);
  await engine.deleteCollection('c', { force: true });
  await assert.rejects(async () => engine.getCollection('c'), { code: 'COLLECTION_NOT_FOUND' });
  await assert.rejects(engine.search('c', { query: 'x', k: 1, mode: 'dense' }), { code: 'COLLECTION_NOT_FOUND' });
  await engine.createCollection('c');
  assert.equal((await engine.getCollection('c')).documents, 0, 'a recreated collection starts empty');
  engine.close();
});

test('long documents become several passages that keep their document id', async () => {
  const engine = testEngine(undefined);
  await engine.createCollection('c', { config: { passages: { maxChars: 120, overlapChars: 30 } } });
  const text = Array.from({ length: 12 }, (_, i) => `Sentensi ya ${i} inahusu mada ya ${i % 3 === 0 ? 'maji' : 'shule'}.`).join(' ');
  const result = await engine.upsertDocuments('c', [{ id: 'long', text, lang: 'sw' }]);
  assert.ok(result.passages > 2);
  assert.equal((await engine.getDocument('c', 'long')).passages, result.passages);
  const { results } = await search(engine, 'Sentensi ya 7 inahusu mada ya shule', { k: 50 });
  assert.equal(results.length, result.passages);
  assert.ok(results.every((r) => r.id === 'long' && r.passage_id.startsWith('long#')));
  engine.close();
});

test('a batch whose encoding fails writes nothing', async () => {
  const base = createHashedNgramEncoder({ dim: 64 });
  const failing: Encoder = {
    info: base.info,
    async embed(texts, options) {
      if (texts.some((t) => t.includes('FAIL'))) throw new Error('encoder exploded');
      return base.embed(texts, options);
    },
  };
  const engine = testEngine(undefined, [failing]);
  await engine.createCollection('c');
  await engine.upsertDocuments('c', SAMPLE_DOCUMENTS);
  const before = await engine.getCollection('c');
  await assert.rejects(engine.upsertDocuments('c', [{ id: 'ok', text: 'fine' }, { id: 'bad', text: 'FAIL here' }]), /encoder exploded/);
  assert.deepEqual(await engine.getCollection('c'), before);
  await assert.rejects(async () => engine.getDocument('c', 'ok'), { code: 'DOCUMENT_NOT_FOUND' });
  await engine.upsertDocuments('c', [{ id: 'ok', text: 'fine' }]);
  assert.equal((await engine.getDocument('c', 'ok')).text, 'fine', 'the collection still takes writes after a failed batch');
  engine.close();
});

test('deleting the newest passage does not make the index look ahead of the database (no rebuild)', async () => {
  const dir = tempDir();
  const engine = await seeded(dir);
  const last = SAMPLE_DOCUMENTS.at(-1)!.id;
  await engine.deleteDocument('c', last);
  engine.close();
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (_: object | string, msg?: string) => void warnings.push(msg ?? '') };
  const restarted = new Engine({
    storage: createSqliteStorage({ dataDir: dir, logger }),
    encoders: createEncoderRegistry([createHashedNgramEncoder({ dim: 64 })]),
    languageIdentifier: createHeuristicLanguageIdentifier(),
    logger,
  });
  assert.deepEqual(warnings, []);
  assert.equal((await restarted.getCollection('c')).indexedVectors, SAMPLE_DOCUMENTS.length - 1);
  restarted.close();
});

test('searches are answered while a large batch enters the HNSW graph; the write resolves once it is complete', async () => {
  const engine = testEngine(undefined);
  await engine.createCollection('c');
  const many = Array.from({ length: 400 }, (_, i) => ({ id: `d${i}`, text: `hati ya majaribio namba ${i} kuhusu ${i % 7 === 0 ? 'maji' : 'shule'}` }));
  let done = false;
  const write = engine.upsertDocuments('c', many).then((r) => {
    done = true;
    return r;
  });
  let answeredDuringWrite = 0;
  while (!done) {
    await engine.search('c', { query: 'maji', k: 5, mode: 'dense' });
    if (!done) answeredDuringWrite++;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal((await write).passages, 400);
  assert.ok(answeredDuringWrite >= 3, `only ${answeredDuringWrite} searches were answered during the write`);
  assert.equal((await engine.getCollection('c')).indexedVectors, 400);
  engine.close();
});

for (const library of ANN_LIBRARIES) {
  const graph: GraphChoice = { library };
  test(`${library}: background saves write loadable files; a write during a save waits for it; a dropped collection leaves no files`, async () => {
  const dir = tempDir();
  const base = path.join(dir, 'indexes', 'c');
  const params = { M: 16, efConstruction: 200, ef: 64 };
  const engine = await seeded(dir, graph);
  const more = Array.from({ length: 50 }, (_, i) => ({ id: `m${i}`, text: `hati ya ziada namba ${i} kuhusu maji na shule` }));
  const saving = sqliteStorageOf(engine).saveInBackground();
  const write = engine.upsertDocuments('c', more);
  await Promise.all([saving, write]);
  assert.equal((await engine.getCollection('c')).indexedVectors, SAMPLE_DOCUMENTS.length + more.length);
  // The save that ran during the write holds the state from before it, consistently.
  const saved = loadGraphStore(graph, { base, dim: 64, params });
  assert.equal(saved.store?.size, SAMPLE_DOCUMENTS.length, saved.reason);
  await sqliteStorageOf(engine).saveInBackground();
  assert.equal(loadGraphStore(graph, { base, dim: 64, params }).store?.size, SAMPLE_DOCUMENTS.length + more.length);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'indexes')).sort(), [`c.${library === 'usearch' ? 'usearch' : 'hnsw'}`, 'c.manifest.json'].sort());

  const dropSaving = sqliteStorageOf(engine).saveInBackground();
  await engine.upsertDocuments('c', [{ id: 'last', text: 'hati ya mwisho' }]);
  const again = sqliteStorageOf(engine).saveInBackground();
  await engine.deleteCollection('c', { force: true });
  await Promise.all([dropSaving, again]);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'indexes')), [], 'no index file, temporary or not, survives the drop');
  engine.close();
});
}

test("mode 'auto' is dense for languages the encoder has an adapter for and hybrid for the rest", async () => {
  const base = createHashedNgramEncoder({ dim: 64 });
  const withSwAdapter: Encoder = { ...base, info: { ...base.info, adapters: ['sw'] } };
  const engine = testEngine(undefined, [withSwAdapter]);
  await engine.createCollection('c');
  await engine.upsertDocuments('c', SAMPLE_DOCUMENTS);
  const ranked = (r: { results: Array<{ id: string; score: number }> }) => r.results.map((x) => [x.id, x.score]);
  const query = 'Maji safi kwa watoto';
  for (const [lang, expected] of [['sw', 'dense'], ['qu', 'hybrid'], ['en', 'hybrid']] as const) {
    const auto = await search(engine, query, { mode: 'auto', lang });
    assert.equal(auto.mode, expected, lang);
    assert.deepEqual(ranked(auto), ranked(await search(engine, query, { mode: expected, lang })), lang);
  }
  engine.close();
});

test("mode 'auto' follows the encoder's measured table, whatever its adapters; its default covers other and unknown languages", async () => {
  const base = createHashedNgramEncoder({ dim: 64 });
  const measured: Encoder = {
    ...base,
    info: { ...base.info, adapters: ['sw'], autoModes: { languages: { sw: 'hybrid', en: 'dense', qu: 'hybrid' }, default: 'dense' } },
  };
  const engine = testEngine(undefined, [measured]);
  await engine.createCollection('c');
  await engine.upsertDocuments('c', SAMPLE_DOCUMENTS);
  const query = 'Maji safi kwa watoto';
  for (const [lang, expected] of [['sw', 'hybrid'], ['en', 'dense'], ['qu', 'hybrid'], ['yo', 'dense']] as const) {
    assert.equal((await search(engine, query, { mode: 'auto', lang })).mode, expected, lang);
  }
  assert.equal(resolveMode('auto', measured, undefined, true), 'dense');
  assert.equal(resolveMode('bm25', measured, 'sw', true), 'bm25');
  engine.close();
});

test('a collection whose encoder changed (other dim, other weights) is refused with ENCODER_CHANGED and keeps its data', async () => {
  const dir = tempDir();
  const original = createHashedNgramEncoder({ dim: 64 });
  const first = testEngine(dir, [original]);
  await first.createCollection('c');
  await first.upsertDocuments('c', SAMPLE_DOCUMENTS);
  assert.equal((await first.getCollection('c')).encoderVersion, original.info.version);
  assert.equal((await first.getCollection('c')).encoderChanged, undefined);
  first.close();

  // Same name, other weights (seed) and same dim; then same name and another dim.
  const retrained = createHashedNgramEncoder({ dim: 64, seed: 99 });
  const resized = createHashedNgramEncoder({ dim: 96 });
  for (const [encoder, reason] of [[retrained, /version dim64.*-s31263, and the loaded one is version dim64.*-s99/], [resized, /64-d .*96-d/]] as const) {
    const engine = testEngine(dir, [encoder]);
    try {
      const info = await engine.getCollection('c');
      assert.match(info.encoderChanged ?? '', reason);
      assert.equal(info.documents, SAMPLE_DOCUMENTS.length, 'nothing is lost');
      await assert.rejects(search(engine, 'maji safi'), (e: Error & { code?: string }) => e.code === 'ENCODER_CHANGED' && /tafuta reindex -c c/.test(e.message));
      await assert.rejects(engine.upsertDocuments('c', [{ id: 'x', text: 'mpya' }]), (e: Error & { code?: string }) => e.code === 'ENCODER_CHANGED');
      assert.equal((await engine.getCollection('c')).documents, SAMPLE_DOCUMENTS.length, 'a refused write stores nothing');
    } finally {
      engine.close();
    }
  }

  // The original weights serve it again, unchanged.
  const again = testEngine(dir, [original]);
  try {
    assert.equal((await search(again, SAMPLE_DOCUMENTS[0]!.text)).results[0]!.id, SAMPLE_DOCUMENTS[0]!.id);
  } finally {
    again.close();
  }
});

test('reindexCollection re-encodes a collection whose encoder changed, keeps every document, and an interrupted run changes nothing', async () => {
  const dir = tempDir();
  const first = testEngine(dir, [createHashedNgramEncoder({ dim: 64 })]);
  await first.createCollection('c', { config: { passages: { maxChars: 50, overlapChars: 10 } } });
  await first.upsertDocuments('c', SAMPLE_DOCUMENTS);
  const before = await first.getCollection('c');
  first.close();

  const resized = createHashedNgramEncoder({ dim: 96 });
  let calls = 0;
  const failsOnSecondBatch: Encoder = {
    info: resized.info,
    embed: async (texts, options) => {
      if (++calls === 2) throw new Error('encoder crashed');
      return resized.embed(texts, options);
    },
  };
  const broken = testEngine(dir, [failsOnSecondBatch]);
  try {
    await assert.rejects(broken.reindexCollection('c', { batchSize: 2 }), /encoder crashed/);
    const info = await broken.getCollection('c');
    assert.match(info.encoderChanged ?? '', /64-d .*96-d/, 'still the old vectors');
    assert.equal(info.documents, SAMPLE_DOCUMENTS.length);
    assert.deepEqual((await broken.listCollections()).map((c) => c.name), ['c'], 'the temporary collection is gone');
    await assert.rejects(broken.reindexCollection('nope'), (e: Error & { code?: string }) => e.code === 'COLLECTION_NOT_FOUND');
  } finally {
    broken.close();
  }

  const engine = testEngine(dir, [resized]);
  try {
    const progress: Array<[number, number]> = [];
    const result = await engine.reindexCollection('c', { batchSize: 4, onProgress: (done, total) => progress.push([done, total]) });
    assert.equal(result.documents, SAMPLE_DOCUMENTS.length);
    assert.equal(result.passages, before.passages, 'the same passage split');
    assert.deepEqual(progress, [[4, 6], [6, 6]]);
    const info = await engine.getCollection('c');
    assert.equal(info.encoderChanged, undefined);
    assert.equal(info.dim, 96);
    assert.equal(info.encoderVersion, resized.info.version);
    assert.deepEqual(info.config, before.config);
    assert.equal(info.indexedVectors, before.passages);
    assert.deepEqual((await engine.listCollections()).map((c) => c.name), ['c']);
    for (const doc of SAMPLE_DOCUMENTS) {
      const stored = await engine.getDocument('c', doc.id);
      assert.deepEqual({ text: stored.text, lang: stored.lang, title: stored.title, metadata: stored.metadata }, { text: doc.text, lang: doc.lang, title: doc.title, metadata: doc.metadata });
      assert.equal((await search(engine, doc.text)).results[0]!.id, doc.id);
    }
    await engine.upsertDocuments('c', [{ id: 'new', text: 'hati mpya kabisa' }]);
    assert.equal((await engine.getCollection('c')).documents, SAMPLE_DOCUMENTS.length + 1);
  } finally {
    engine.close();
  }
  // A fresh process finds the re-indexed collection and its saved index.
  const reopened = testEngine(dir, [resized]);
  try {
    assert.equal((await search(reopened, SAMPLE_DOCUMENTS[2]!.text)).results[0]!.id, SAMPLE_DOCUMENTS[2]!.id);
    assert.equal((await reopened.getCollection('c')).indexedVectors, before.passages + 1);
  } finally {
    reopened.close();
  }
});

/** The hashed encoder with a close() that it honours, as the ONNX ones do. */
function closableEncoder(): Encoder & { closed: boolean } {
  const base = createHashedNgramEncoder({ dim: 64 });
  const encoder = {
    info: base.info,
    closed: false,
    async embed(texts: readonly string[], options: Parameters<Encoder['embed']>[1]) {
      if (encoder.closed) throw new Error('encoder is closed');
      return base.embed(texts, options);
    },
    async close() {
      encoder.closed = true;
    },
  };
  return encoder;
}

test('releaseEncoders closes the encoders of an engine that owns them (encoding then fails, close still works); shared ones stay open', async () => {
  for (const ownsEncoders of [true, false]) {
    const encoder = closableEncoder();
    const engine = new Engine({
      storage: createSqliteStorage({ dataDir: undefined, logger: silentLogger }),
      encoders: createEncoderRegistry([encoder]),
      languageIdentifier: createHeuristicLanguageIdentifier(),
      logger: silentLogger,
      ownsEncoders,
    });
    await engine.createCollection('c');
    await engine.upsertDocuments('c', SAMPLE_DOCUMENTS.slice(0, 2));
    await engine.releaseEncoders();
    assert.equal(encoder.closed, ownsEncoders);
    const write = engine.upsertDocuments('c', SAMPLE_DOCUMENTS.slice(2, 4));
    if (ownsEncoders) await assert.rejects(write, /closed/);
    else assert.equal((await write).upserted, 2);
    assert.equal((await engine.getCollection('c')).documents, ownsEncoders ? 2 : 4);
    await engine.close();
  }
});
