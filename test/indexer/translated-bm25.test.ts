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

/** PSQ BM25 written out over every passage, the definition the term index must reproduce. */
function referenceScores(texts: ReadonlyMap<string, string>, query: ReadonlyArray<ReadonlyArray<{ term: string; weight: number }>>): Array<[string, number]> {
  const docs = [...texts].map(([id, text]) => ({ id, words: text.split(' ') }));
  const meanLength = docs.reduce((n, d) => n + d.words.length, 0) / docs.length;
  const scored = docs.map(({ id, words }): [string, number] => {
    let score = 0;
    for (const translations of query) {
      const df = translations.reduce((sum, t) => sum + t.weight * docs.filter((d) => d.words.includes(t.term)).length, 0);
      const idf = Math.max(Math.log((docs.length - df + 0.5) / (df + 0.5)), 0) || 1e-6;
      const tf = translations.reduce((sum, t) => sum + t.weight * words.filter((w) => w === t.term).length, 0);
      if (tf > 0) score += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * words.length) / meanLength));
    }
    return [id, score];
  });
  return scored.filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]);
}

// SQLite's term index follows the change log; PostgreSQL re-scores its text index's candidates: both are exact.
for (const store of testStores()) test(`translated BM25 scores every passage holding a translation exactly as PSQ BM25 written out does, through upserts and deletes (${store.name} store)`, async () => {
  // A seeded corpus over a small vocabulary (many ties in df, several passages per word) and a table over it.
  let state = 7;
  const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const vocabulary = Array.from({ length: 40 }, (_, i) => `w${i}`);
  const sentence = () => Array.from({ length: 1 + Math.floor(random() * 12) }, () => vocabulary[Math.floor(random() * vocabulary.length)]!).join(' ');
  const table: TranslationTable = new Map(
    Array.from({ length: 15 }, (_, i) => [`s${i}`, [{ term: `w${i}`, weight: 0.6 }, { term: `w${i + 20}`, weight: 0.3 }, { term: `w${(i * 7) % 40}`, weight: 0.1 }]]),
  );
  const engine = await store.freshEngine({
    encoders: [createHashedNgramEncoder({ dim: 32 })],
    translator: createQueryTranslator({ name: 'test', borrowFrom: {}, fusion: { weights: {}, defaultWeight: 0.5 } }, new Map([['sw', table]])),
  });
  await engine.createCollection('c', {});
  const texts = new Map<string, string>();
  const check = async () => {
    for (const query of ['s1', 's2 s3', 's4 s5 w7', 's0 s1 s2 s3 s4 s5 s6 s7 s8 s9', 'w3 w33']) {
      const translated = query.split(' ').map((word) => table.get(word) ?? [{ term: word, weight: 1 }]);
      const expected = referenceScores(texts, translated);
      const response = await engine.search('c', { query, k: 200, mode: 'translate', lang: 'sw' });
      assert.equal(response.results.length, expected.length, query);
      const got = new Map(response.results.map((r) => [r.id, r.score]));
      for (const [id, score] of expected) assert.ok(Math.abs(got.get(id)! - score) < 1e-9, `${query} ${id}: ${got.get(id)} vs ${score}`);
      response.results.forEach((r, i) => i > 0 && assert.ok(r.score <= response.results[i - 1]!.score));
    }
  };
  const upsert = async (from: number, to: number) => {
    const documents = Array.from({ length: to - from }, (_, i) => ({ id: `d${from + i}`, text: sentence(), lang: 'en' }));
    for (const d of documents) texts.set(d.id, d.text);
    await engine.upsertDocuments('c', documents);
  };
  await upsert(0, 120);
  await check();
  await upsert(120, 160); // new passages after the term index was built
  await upsert(10, 30); // replaced texts: old passages deleted, new ones added
  await engine.deleteDocuments('c', { ids: ['d0', 'd1', 'd2', 'd50'] });
  for (const id of ['d0', 'd1', 'd2', 'd50']) texts.delete(id);
  await check();
  const ids = [...texts.keys()].slice(0, 130); // more deleted than left: the postings are compacted
  await engine.deleteDocuments('c', { ids });
  for (const id of ids) texts.delete(id);
  await check();
  await engine.close();
});
