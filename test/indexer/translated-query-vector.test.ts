/** Mode 'translate-dense': the query's vector plus the weighted vectors of its English translation, then dense search. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { combinedQueryVector, translationVector } from '../../indexer/translated-query-vector.js';
import type { Encoder } from '../../models/encoder.js';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import type { TranslationTable } from '../../models/translate/table.js';
import { createQueryTranslator } from '../../models/translate/translator.js';
import { postgresStore, testStores } from '../helpers/stores.js';

// "nyumba" means house (0.75) or home (0.25); "kitabu" means book.
const TABLE: TranslationTable = new Map([
  ['nyumba', [{ term: 'house', weight: 0.75 }, { term: 'home', weight: 0.25 }]],
  ['kitabu', [{ term: 'book', weight: 1 }]],
]);
const translator = createQueryTranslator({ name: 'test', borrowFrom: {}, fusion: { weights: {}, defaultWeight: 0.5 } }, new Map([['sw', TABLE]]));

/** Each English word one axis of a 4-d space; records what it was asked to embed, in which language. */
function axisEncoder() {
  const axes = ['house', 'home', 'book', 'kitabu'];
  const calls: Array<{ texts: readonly string[]; lang: unknown }> = [];
  const encoder: Encoder = {
    info: { name: 'axes', dim: 4, description: 'test' },
    async embed(texts, options) {
      calls.push({ texts, lang: options.lang });
      return texts.map((t) => Float32Array.from(axes, (a) => (a === t ? 1 : 0)));
    },
  };
  return { encoder, calls };
}

const close = (a: ArrayLike<number> | undefined, b: readonly number[]) => {
  assert.ok(a, 'a vector');
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-6, `${Array.from(a)} vs ${b}`);
};

test('the translation vector is the normalised, probability-weighted sum of the terms embedded as English', async () => {
  const { encoder, calls } = axisEncoder();
  // nyumba → 0.75 house + 0.25 home; kitabu → book: (0.75, 0.25, 1, 0) / |…| (|…|² = 0.5625 + 0.0625 + 1 = 1.625).
  const n = Math.sqrt(1.625);
  close(await translationVector(encoder, translator, 'nyumba kitabu', 'sw'), [0.75 / n, 0.25 / n, 1 / n, 0]);
  assert.deepEqual(calls, [{ texts: ['house', 'home', 'book'], lang: 'en' }], 'each distinct term once, as English');
  // A word no table knows stays itself; a language without a table translates nothing.
  close(await translationVector(encoder, translator, 'kitabu', 'yo'), [0, 0, 0, 1]);
  assert.equal(await translationVector(encoder, translator, 'mvua', 'sw'), undefined, 'no term with features');
  assert.equal(await translationVector(encoder, translator, '!!!', 'sw'), undefined, 'no words');
});

test('query and translation weigh alike; either stands alone when the other has no features', () => {
  close(combinedQueryVector(Float32Array.of(1, 0), Float32Array.of(0, 1)), [Math.SQRT1_2, Math.SQRT1_2]);
  close(combinedQueryVector(undefined, Float32Array.of(0, 1)), [0, 1]);
  close(combinedQueryVector(Float32Array.of(1, 0), undefined), [1, 0]);
  assert.equal(combinedQueryVector(undefined, undefined), undefined);
  assert.equal(combinedQueryVector(Float32Array.of(1, 0), Float32Array.of(-1, 0)), undefined, 'opposite vectors cancel out');
});

after(() => postgresStore.stop());

for (const store of testStores()) test(`a search in translate-dense finds the English passage the untranslated query cannot (${store.name} store)`, async () => {
  const engine = await store.freshEngine({ encoders: [createHashedNgramEncoder({ dim: 64 })], translator });
  await engine.createCollection('c', {});
  await engine.upsertDocuments('c', [
    { id: 'book', lang: 'en', text: 'book' },
    { id: 'rain', lang: 'en', text: 'rain on the farm' },
    { id: 'kit', lang: 'en', text: 'kit bag' },
  ]);
  const dense = await engine.search('c', { query: 'kitabu', k: 3, mode: 'dense', lang: 'sw' });
  const translated = await engine.search('c', { query: 'kitabu', k: 3, mode: 'translate-dense', lang: 'sw' });
  assert.equal(translated.mode, 'translate-dense');
  assert.notEqual(dense.results[0]!.id, 'book', 'the untrained n-gram encoder does not know kitabu is a book');
  assert.equal(translated.results[0]!.id, 'book');
  // The score is the cosine with normalise(query + translation): (cos(q, book) + 1) / |q + t|, t being book's vector.
  const [q, book] = await createHashedNgramEncoder({ dim: 64 }).embed(['kitabu', 'book'], { kind: 'query', lang: 'sw' });
  const cosine = q!.reduce((s, x, i) => s + x * book![i]!, 0);
  const expected = (cosine + 1) / Math.sqrt(2 + 2 * cosine);
  assert.ok(Math.abs(translated.results[0]!.score - expected) < 1e-4, `${translated.results[0]!.score} vs ${expected}`);
  await engine.close();
});
