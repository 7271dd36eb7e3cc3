import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Engine } from '../../indexer/engine.js';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { postgresStore, sqliteStore, testStores, type TestStore } from '../helpers/stores.js';
import { createQueryTranslator } from '../../models/translate/translator.js';
import type { TranslationTable } from '../../models/translate/table.js';

const DOCUMENTS = [
  { id: 'house', text: 'the house is big' },
  { id: 'home', text: 'my home' },
  { id: 'both', text: 'a home is a house and a house is a home for the family' },
  { id: 'book', text: 'the book of the house' },
  { id: 'other', text: 'rain falls on the farm' },
];

// "nyumba" means house or home, equally; "kitabu" means book; "mvua" is not in the table.
const TABLE: TranslationTable = new Map([
  ['nyumba', [{ term: 'house', weight: 0.5 }, { term: 'home', weight: 0.5 }]],
  ['kitabu', [{ term: 'book', weight: 1 }]],
]);

after(() => postgresStore.stop());

async function engineWith(fusionWeight = 0.5, store: TestStore = sqliteStore): Promise<Engine> {
  const engine = await store.freshEngine({
    encoders: [createHashedNgramEncoder({ dim: 32 })],
    translator: createQueryTranslator({ name: 'test', borrowFrom: {}, fusion: { weights: { sw: fusionWeight }, defaultWeight: 0.5 } }, new Map([['sw', TABLE]])),
  });
  await engine.createCollection('c', {});
  await engine.upsertDocuments('c', DOCUMENTS.map((d) => ({ ...d, lang: 'en' })));
  return engine;
}

const scores = (response: { results: Array<{ id: string; score: number }> }) => response.results.map((r) => [r.id, r.score] as const);

test('a query no table translates scores exactly as FTS5 bm25() does (same statistics, same formula)', async () => {
  const engine = await engineWith();
  for (const query of ['house', 'the house', 'home family farm', 'a house']) {
    const bm25 = scores(await engine.search('c', { query, k: 10, mode: 'bm25', lang: 'en' }));
    const translated = scores(await engine.search('c', { query, k: 10, mode: 'translate', lang: 'en' }));
    assert.deepEqual(translated.map(([id]) => id), bm25.map(([id]) => id), query);
    translated.forEach(([, score], i) => assert.ok(Math.abs(score - bm25[i]![1]) < 1e-9, `${query}: ${score} vs ${bm25[i]![1]}`));
  }
  await engine.close();
});

// The PSQ scoring reads the same statistics from either store (FTS5's, or PostgreSQL's full-text index).
for (const store of testStores()) test(`a translated word pools its terms: tf and df are the weighted sums over its translations (PSQ; ${store.name} store)`, async () => {
  const engine = await engineWith(0.5, store);
  const response = await engine.search('c', { query: 'nyumba', k: 10, mode: 'translate', lang: 'sw' });
  // N = 5 passages, 30 tokens in all (mean 6). df(house) = 3, df(home) = 2 → df = 2.5, idf = ln(3/3) = 0, floored
  // at 1e-6 as FTS5 does: every passage with either word matches, none with neither.
  assert.deepEqual(response.results.map((r) => r.id).sort(), ['book', 'both', 'home', 'house']);
  const kitabu = await engine.search('c', { query: 'kitabu nyumba', k: 10, mode: 'translate', lang: 'sw' });
  const idfBook = Math.log((5 - 1 + 0.5) / (1 + 0.5));
  const idfHouse = 1e-6;
  const bm25 = (tf: number, length: number, idf: number) => (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * length) / 6));
  const expected = bm25(1, 5, idfBook) + bm25(0.5, 5, idfHouse);
  assert.equal(kitabu.results[0]!.id, 'book');
  assert.ok(Math.abs(kitabu.results[0]!.score - expected) < 1e-9, `${kitabu.results[0]!.score} vs ${expected}`);
  await engine.close();
});

for (const store of testStores()) test(`words the table lacks stay themselves; a query language without a table is plain BM25 (${store.name} store)`, async () => {
  const engine = await engineWith(0.5, store);
  const mixed = await engine.search('c', { query: 'kitabu farm', k: 10, mode: 'translate', lang: 'sw' });
  assert.deepEqual(mixed.results.map((r) => r.id).sort(), ['book', 'other']);
  const unknown = await engine.search('c', { query: 'kitabu', k: 10, mode: 'translate', lang: 'yo' });
  assert.deepEqual(unknown.results, []);
  await engine.close();
});

for (const store of testStores()) test(`translate-hybrid weighs the lists by the language’s fusion weight: 1 is the translated ranking alone (${store.name} store)`, async () => {
  const engine = await engineWith(1, store);
  const translated = await engine.search('c', { query: 'kitabu', k: 10, mode: 'translate', lang: 'sw' });
  const fused = await engine.search('c', { query: 'kitabu', k: 10, mode: 'translate-hybrid', lang: 'sw' });
  assert.equal(fused.mode, 'translate-hybrid');
  assert.deepEqual(fused.results.map((r) => r.id), translated.results.map((r) => r.id));
  assert.ok(Math.abs(fused.results[0]!.score - 1 / 61) < 1e-12);
  await engine.close();
});
