import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FEATURE_CONFIG, featureBag, featurize, featurizeWords, fnv1a, wordFeatureIds } from '../../models/features.js';
import { tokenize } from '../../text/normalize.js';
import { learnSubwords, SubwordSegmenter } from '../../models/subwords.js';

test('fnv1a matches the published FNV-1a 32-bit test vectors', () => {
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
  assert.equal(fnv1a('foobar'), 0xbf9cf968);
  // Non-ASCII is hashed as UTF-8 bytes: "é" = c3 a9.
  let h = 0x811c9dc5;
  for (const byte of [0xc3, 0xa9]) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  assert.equal(fnv1a('é'), h);
});

test('a word yields one word feature plus every 3-5-gram of <word>', () => {
  const ids: number[] = [];
  wordFeatureIds('penda', DEFAULT_FEATURE_CONFIG, ids);
  // "<penda>" has 7 symbols: 5 trigrams + 4 four-grams + 3 five-grams, plus the word itself.
  assert.equal(ids.length, 1 + 5 + 4 + 3);
  assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id < DEFAULT_FEATURE_CONFIG.buckets));
});

test('agglutinative forms share n-gram features', () => {
  const a = new Set(featurize('ninapenda'));
  const b = new Set(featurize('alipenda'));
  const shared = [...a].filter((id) => b.has(id));
  assert.ok(shared.length >= 5, `expected shared n-grams, got ${shared.length}`);
  assert.equal(new Set(featurize('mti')).has([...featurize('mbuzi')][0]!), false);
});

test('featurize is deterministic and normalises first', () => {
  assert.deepEqual(featurize('Ọjọ́ Àìkú'), featurize('ojo aiku'));
  assert.deepEqual(featurize('_File'), featurize('file'));
  assert.equal(featurize('   ').length, 0);
});

test('featureBag merges repeats: distinct ids in first-occurrence order, multiplicities summing to the count', () => {
  const text = 'ninapenda alipenda, ninapenda tena na tena';
  const ids = featurize(text);
  const bag = featureBag(text);
  assert.equal(bag.count, ids.length);
  assert.equal(bag.multiplicity.reduce((s, m) => s + m, 0), ids.length);
  assert.deepEqual([...bag.ids], [...new Set(ids)]);
  const occurrences = new Map<number, number>();
  for (const id of ids) occurrences.set(id, (occurrences.get(id) ?? 0) + 1);
  bag.ids.forEach((id, i) => assert.equal(bag.multiplicity[i], occurrences.get(id)));
  assert.ok(bag.ids.length < ids.length, 'the repeated words repeat their features');
  // Back to back (the dedup table is reused between texts) and for another bucket count.
  const small = { ...DEFAULT_FEATURE_CONFIG, buckets: 97 };
  assert.deepEqual([...featureBag('tena tena', small).multiplicity].reduce((s, m) => s + m, 0), featurize('tena tena', small).length);
  assert.deepEqual(featureBag('  ').ids.length, 0);
  assert.deepEqual([...featureBag(text).ids], [...bag.ids]);
});

test('featurizeWords lays out each word\'s features; together they are the text\'s features', () => {
  const config = { buckets: 1 << 16, minN: 3, maxN: 4, words: true };
  for (const text of ['Ninapenda kusoma vitabu, ninapenda!', 'ኢትዮጵያ ሀገሬ', 'a', '', 'Ọmọ náà ń jẹun — “rárá”']) {
    const words = tokenize(text);
    const { ids, offsets } = featurizeWords(words, config);
    assert.equal(offsets.length, words.length + 1);
    assert.deepEqual([...ids], [...featurize(text, config)], text);
    words.forEach((word, i) => {
      const own: number[] = [];
      wordFeatureIds(word, config, own);
      assert.deepEqual([...ids.subarray(offsets[i]!, offsets[i + 1]!)], own, word);
    });
  }
});

test('subword units join a word’s features: one per unit of "<word>" longer than a character, none for a word that is one unit', () => {
  const merges = learnSubwords(new Map([['<ninapenda>', 5], ['<alipenda>', 4], ['<wanapenda>', 3]]), { maxMerges: 12 });
  const segmenter = new SubwordSegmenter(merges);
  const plain = { buckets: 4096, minN: 3, maxN: 4, words: true };
  const withUnits = { ...plain, subwords: segmenter };
  for (const word of ['tunapenda', 'ninapenda', 'xyz']) {
    const units = segmenter.segment(`<${word}>`);
    const expectedExtra = units.length > 1 ? units.filter((u) => Array.from(u).length > 1).length : 0;
    const a: number[] = [];
    const b: number[] = [];
    wordFeatureIds(word, plain, a);
    wordFeatureIds(word, withUnits, b);
    assert.deepEqual(b.slice(0, a.length), a, `${word}: the n-gram features are unchanged`);
    assert.equal(b.length - a.length, expectedExtra, `${word}: ${units.join(' ')}`);
  }
  // Shared units give related forms shared features beyond the n-grams; the per-word layout still holds.
  const text = 'ninapenda tunapenda xyz';
  const { ids, offsets } = featurizeWords(tokenize(text), withUnits);
  assert.deepEqual(ids, featurize(text, withUnits));
  assert.equal(offsets.length, 4);
});
