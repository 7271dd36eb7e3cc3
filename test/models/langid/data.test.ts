import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { featurize } from '../../../models/features.js';
import { parseLangIdConfig } from '../../../models/langid/config.js';
import { assertNotBenchmark, buildLangIdDataset, featurizeWords, trainingKeys } from '../../../models/langid/data.js';
import { writeFixtureData } from './fixtures.js';

test('word-by-word features concatenate to exactly what featurize gives the encoder', () => {
  const config = { buckets: 1 << 16, minN: 3, maxN: 5, words: true };
  for (const text of ['Hamisha chini', '_Open %s file…', 'ንጹህ ውሃ ለልጆች', 'ສະບາຍດີ', '']) {
    const { ids, wordEnds } = featurizeWords(text, config);
    assert.deepEqual(ids, featurize(text, config));
    assert.equal(wordEnds.at(-1) ?? 0, ids.length);
  }
});

test('dataset: English plus every language file, held-out slice disjoint from training, untranslated strings dropped', () => {
  const { trainDir, monoDir } = writeFixtureData();
  const config = parseLangIdConfig({ features: { buckets: 1024 }, data: { trainDir, monoDir, heldOutFraction: 0.2 } });
  const dataset = buildLangIdDataset(config);
  assert.deepEqual(dataset.labels, ['en', 'aa', 'bb', 'cc']);
  const key = (e: { label: number; ids: Uint32Array }) => `${e.label}:${e.ids.join(',')}`;
  const trainKeys = new Set(dataset.train.map(key));
  assert.ok(dataset.heldOut.length > 0);
  for (const e of dataset.heldOut) assert.ok(!trainKeys.has(key(e)));
  for (const lang of ['aa', 'bb', 'cc']) assert.equal(dataset.manifest.counts[lang]!.englishLike, 1);
  assert.equal(dataset.manifest.files.length, 4);
  // Same config and data → same dataset.
  assert.deepEqual(buildLangIdDataset(config).train.map(key), dataset.train.map(key));
  assert.ok(trainingKeys(config.data).has('open file'));
});

test('benchmark directories are refused as training data', () => {
  assert.throws(() => assertNotBenchmark(path.join('data', 'bench', 'cldr-emoji')), (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT');
  assert.doesNotThrow(() => assertNotBenchmark(path.join('data', 'train')));
  assert.throws(() => buildLangIdDataset(parseLangIdConfig({ data: { trainDir: 'data/bench/udhr' } })), /evaluation-only/);
});
