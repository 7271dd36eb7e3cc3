import { passageEmbeddingText } from '../../indexer/titles.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Engine } from '../../indexer/engine.js';
import { unitVectorOf } from '../../indexer/own-vectors.js';
import type { SearchRequest } from '../../indexer/search.js';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { SAMPLE_DOCUMENTS, tempDir, testEngine } from '../helpers/engine.js';

const DIM = 4;
/** Unit-length directions (and one that is not), each document's text unrelated to its vector. */
const OWN_DOCUMENTS = [
  { id: 'x', text: 'Maji safi ni muhimu kwa afya.', vector: [1, 0, 0, 0] },
  { id: 'y', text: 'Wakulima wanapanda mahindi.', vector: [0, 1, 0, 0] },
  { id: 'xy', text: 'Mvua za masika.', vector: [3, 3, 0, 0] },
  { id: 'z', text: 'Ruwa mai tsabta.', vector: [0, 0, 0, -2] },
];

const isInvalid = (pattern: RegExp) => (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT' && pattern.test(e.message);

async function ownCollection(dataDir?: string): Promise<Engine> {
  const engine = testEngine(dataDir);
  await engine.createCollection('own', { encoder: 'none', dim: DIM });
  await engine.upsertDocuments('own', OWN_DOCUMENTS);
  return engine;
}

const searchOwn = (engine: Engine, request: Partial<SearchRequest>) => engine.search('own', { k: 10, mode: 'dense', ...request });

test('a collection with encoder "none" records it with its dim, and keeps each document whole: one passage with its vector', async () => {
  const engine = await ownCollection();
  const info = await engine.getCollection('own');
  assert.equal(info.encoder, 'none');
  assert.equal(info.dim, DIM);
  assert.equal(info.encoderVersion, null);
  assert.equal(info.encoderChanged, undefined);
  assert.deepEqual(info.config.passages, { maxChars: 1_000_000, overlapChars: 0 });
  assert.deepEqual((await engine.listCollections()).map((c) => [c.name, c.encoder, c.dim]), [['own', 'none', DIM]]);
  assert.equal(info.passages, OWN_DOCUMENTS.length);
  assert.equal(info.indexedVectors, OWN_DOCUMENTS.length);

  const long = 'Sentensi ndefu kuhusu maji na kilimo. '.repeat(100); // 3,800 characters: 5+ passages with an encoder
  assert.equal((await engine.upsertDocuments('own', [{ id: 'long', text: long, vector: [0, 0, 1, 0] }])).passages, 1);
  const [hit] = (await searchOwn(engine, { vector: [0, 0, 1, 0], k: 1 })).results;
  assert.equal(hit!.id, 'long');
  assert.equal(hit!.text, long.trim());
  await engine.close();
});

test('dense search by vector ranks by cosine (scale does not matter); documents come back with their unit vectors', async () => {
  const engine = await ownCollection();
  const { results, mode, query_lang } = await searchOwn(engine, { vector: [10, 1, 0, 0] });
  assert.equal(mode, 'dense');
  assert.equal(query_lang, null);
  assert.deepEqual(results.map((r) => r.id), ['x', 'xy', 'y', 'z']);
  assert.ok(Math.abs(results[0]!.score - 10 / Math.sqrt(101)) < 1e-6, `cosine, got ${results[0]!.score}`);
  assert.ok(Math.abs(results[1]!.score - 11 / Math.sqrt(202)) < 1e-6);

  const stored = (await engine.getDocument('own', 'xy')).vector!;
  assert.ok(stored.every((x, i) => Math.abs(x - [Math.SQRT1_2, Math.SQRT1_2, 0, 0][i]!) < 1e-7), `normalised: ${stored}`);
  assert.deepEqual((await engine.getDocument('own', 'z')).vector, [0, 0, 0, -1]);
  const page = await engine.listDocuments('own', { limit: 10 });
  assert.ok(page.documents.every((d) => d.vector === undefined), 'listings leave vectors out');
  assert.deepEqual((await engine.listDocuments('own', { limit: 10, withVectors: true })).documents.map((d) => d.vector?.length), [DIM, DIM, DIM, DIM]);
  await engine.close();
});

test('the query text feeds BM25: bm25 and hybrid work; auto is hybrid with a query and dense without one; filters apply', async () => {
  const engine = await ownCollection();
  assert.deepEqual((await searchOwn(engine, { query: 'mahindi', mode: 'bm25' })).results.map((r) => r.id), ['y']);
  const hybrid = await searchOwn(engine, { query: 'mahindi', vector: [1, 0, 0, 0], mode: 'hybrid' });
  assert.deepEqual(hybrid.results.slice(0, 2).map((r) => r.id).sort(), ['x', 'y'], 'each list puts its own best first');
  assert.equal((await searchOwn(engine, { query: 'mahindi', vector: [1, 0, 0, 0], mode: 'auto' })).mode, 'hybrid');
  assert.equal((await searchOwn(engine, { vector: [1, 0, 0, 0], mode: 'auto' })).mode, 'dense');
  await engine.upsertDocuments('own', [{ id: 'tagged', text: 'Hati yenye lebo.', vector: [1, 0, 0, 0], metadata: { topic: 'tag' } }]);
  const filtered = await searchOwn(engine, { vector: [1, 0, 0, 0], filter: { metadata: { topic: 'tag' } } });
  assert.deepEqual(filtered.results.map((r) => r.id), ['tagged']);
  await engine.close();
});

test('own vectors are checked: required, of the collection dim, finite, not zero; refused by encoder collections; nothing is written', async () => {
  const engine = await ownCollection();
  await engine.createCollection('enc');
  const before = (await engine.getCollection('own')).documents;
  const cases: Array<[string, Parameters<Engine['upsertDocuments']>[1], RegExp]> = [
    ['missing', [{ id: 'n', text: 'maji' }], /document "n".*needs a vector of 4 numbers/],
    ['too short', [{ id: 'n', text: 'maji', vector: [1, 0, 0] }], /document "n": vector has 3 numbers.*have 4/],
    ['too long', [{ id: 'n', text: 'maji', vector: [1, 0, 0, 0, 0] }], /vector has 5 numbers/],
    ['infinite', [{ id: 'n', text: 'maji', vector: [1, Infinity, 0, 0] }], /finite/],
    ['NaN', [{ id: 'n', text: 'maji', vector: [NaN, 1, 0, 0] }], /finite/],
    ['zero', [{ id: 'n', text: 'maji', vector: [0, 0, 0, 0] }], /all zeros/],
    ['one bad among good', [OWN_DOCUMENTS[0]!, { id: 'n', text: 'maji', vector: [1, 2] }], /document "n"/],
  ];
  for (const [label, documents, message] of cases) {
    await assert.rejects(engine.upsertDocuments('own', documents), isInvalid(message), label);
  }
  assert.equal((await engine.getCollection('own')).documents, before, 'nothing written');
  await assert.rejects(engine.upsertDocuments('enc', [{ id: 'v', text: 'maji', vector: [1, 0, 0, 0] }]), isInvalid(/encodes its documents with "hashed-ngram-v1".*encoder "none"/));
  assert.equal((await engine.getCollection('enc')).documents, 0);

  await assert.rejects(searchOwn(engine, { query: 'maji' }), isInvalid(/own vectors.*need a vector of 4 numbers.*bm25/));
  await assert.rejects(searchOwn(engine, { query: 'maji', mode: 'hybrid' }), isInvalid(/need a vector/));
  await assert.rejects(searchOwn(engine, { vector: [1, 0] }), isInvalid(/search vector: vector has 2 numbers/));
  await assert.rejects(searchOwn(engine, { query: 'maji', vector: [1, 0], mode: 'bm25' }), isInvalid(/vector has 2 numbers/), 'checked even when bm25 does not use it');
  await assert.rejects(searchOwn(engine, { vector: [0, 0, 0, 0] }), isInvalid(/all zeros/));
  await engine.close();
});

test('creating a collection: dim goes with encoder "none" only, in 1-4096; config.passages does not apply to it', async () => {
  const engine = testEngine(undefined);
  await assert.rejects(async () => engine.createCollection('a', { encoder: 'none' }), isInvalid(/needs dim/));
  for (const dim of [0, 4097, 1.5, -3]) await assert.rejects(async () => engine.createCollection('a', { encoder: 'none', dim }), isInvalid(/from 1 to 4096/), String(dim));
  await assert.rejects(async () => engine.createCollection('a', { dim: 64 }), isInvalid(/dim goes with encoder "none"/));
  await assert.rejects(async () => engine.createCollection('a', { encoder: 'hashed-ngram-v1', dim: 64 }), isInvalid(/dim goes with encoder "none"/));
  await assert.rejects(async () => engine.createCollection('a', { encoder: 'none', dim: 8, config: { passages: { maxChars: 300 } } }), isInvalid(/passages/));
  await assert.rejects(async () => engine.createCollection('a', { encoder: 'nope' }), (e: Error & { code?: string }) => e.code === 'UNKNOWN_ENCODER' && /available: .*none/.test(e.message));
  assert.deepEqual(await engine.listCollections(), [], 'nothing created');
  assert.equal((await engine.createCollection('a', { encoder: 'none', dim: 4096, config: { hnsw: { M: 8 } } })).config.hnsw.M, 8);
  void engine.close();
});

test('the same vector (at any scale) is unchanged; a new one replaces the old; a stored vector written back is unchanged bit for bit', async () => {
  const engine = await ownCollection();
  const again = await engine.upsertDocuments('own', [{ ...OWN_DOCUMENTS[2]!, vector: [0.5, 0.5, 0, 0] }]);
  assert.deepEqual(again, { upserted: 0, unchanged: 1, passages: 0 });
  const moved = await engine.upsertDocuments('own', [{ ...OWN_DOCUMENTS[0]!, vector: [0, 0, 1, 0] }]);
  assert.deepEqual(moved, { upserted: 1, unchanged: 0, passages: 1 });
  assert.equal((await searchOwn(engine, { vector: [0, 0, 1, 0], k: 1 })).results[0]!.id, 'x');

  // Normalising a stored (float32) unit vector once more can move an entry by one float32 step: this one's does.
  const given = [-0.092, 0.316, -0.276];
  const unit = Array.from(unitVectorOf(given, 3, 'test'));
  assert.deepEqual(Array.from(unitVectorOf(unit, 3, 'test')), unit, 'a stored vector is kept as it is');
  const wide = testEngine(undefined);
  await wide.createCollection('w', { encoder: 'none', dim: 3 });
  await wide.upsertDocuments('w', [{ id: 'r', text: 'nasibu', vector: given }]);
  const stored = await wide.getDocument('w', 'r');
  assert.deepEqual(stored.vector, unit);
  assert.deepEqual(await wide.upsertDocuments('w', [{ id: 'r', text: 'nasibu', vector: stored.vector }]), { upserted: 0, unchanged: 1, passages: 0 });
  await wide.close();
  await engine.close();
});

test('collections with an encoder also search by a given vector of their dim, which must match', async () => {
  const encoder = createHashedNgramEncoder({ dim: 64 });
  const engine = testEngine(undefined, [encoder]);
  await engine.createCollection('c');
  await engine.upsertDocuments('c', SAMPLE_DOCUMENTS);
  for (const doc of SAMPLE_DOCUMENTS) {
    // Passages are encoded with their document's title (indexer/titles.ts).
    const [vector] = await encoder.embed([passageEmbeddingText(doc.title, doc.text)], { kind: 'passage', lang: doc.lang });
    const { results } = await engine.search('c', { vector: Array.from(vector!), k: 1, mode: 'dense' });
    assert.equal(results[0]!.id, doc.id);
    assert.ok(results[0]!.score > 0.999);
  }
  await assert.rejects(engine.search('c', { vector: [1, 2, 3, 4], k: 1, mode: 'dense' }), isInvalid(/vector has 4 numbers, and the collection's vectors have 64/));
  await engine.close();
});

test('re-indexing a collection of your own vectors is refused: there is nothing to re-encode', async () => {
  const engine = await ownCollection();
  await assert.rejects(engine.reindexCollection('own'), isInvalid(/own vectors.*nothing to re-encode/));
  assert.equal((await engine.getCollection('own')).documents, OWN_DOCUMENTS.length);
  await engine.close();
});

test('own vectors survive a restart: the index is loaded or rebuilt from SQLite', async () => {
  const dir = tempDir();
  const first = await ownCollection(dir);
  await first.close();
  const second = testEngine(dir);
  assert.deepEqual((await second.search('own', { vector: [0, 1, 0, 0], k: 1, mode: 'dense' })).results.map((r) => r.id), ['y']);
  await second.close();
});

test('own vectors with the search-result features: highlights give terms (no encoder to embed sentences), grouping and title patches keep the vector', async () => {
  const engine = await ownCollection();
  const { results } = await searchOwn(engine, { query: 'maji safi', vector: [1, 0, 0, 0], mode: 'hybrid', highlight: true, group_by: 'document' });
  assert.equal(results[0]!.id, 'x');
  assert.deepEqual(results[0]!.highlights, { terms: [{ start: 0, end: 4 }, { start: 5, end: 9 }] });
  assert.equal(new Set(results.map((r) => r.id)).size, results.length);
  const dense = await searchOwn(engine, { vector: [1, 0, 0, 0], highlight: true });
  assert.deepEqual(dense.results[0]!.highlights, {});

  const patched = await engine.patchDocument('own', 'y', { title: 'Kilimo' });
  assert.equal(patched.title, 'Kilimo');
  assert.deepEqual((await searchOwn(engine, { vector: [0, 1, 0, 0], k: 1 })).results.map((r) => [r.id, r.title]), [['y', 'Kilimo']]);
  await engine.close();
});
