/**
 * The pair batch: adapter dropout encodes a drawn pair's non-English side without its adapter at the configured
 * rate, from the augmentation stream only, so the batches themselves do not change.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../core/rng.js';
import { featurize, type FeatureConfig } from '../../../models/features.js';
import { trainConfigSchema } from '../../../models/train/config.js';
import type { Dataset, TrainingPair } from '../../../models/train/dataset.js';
import { initEncoderParams } from '../../../models/train/encoder-params.js';
import { createPairBatchSampler } from '../../../models/train/pair-batch.js';

const FEATURES: FeatureConfig = { buckets: 1024, minN: 3, maxN: 4, words: true };

/** Two languages, 40 pairs each, every English side distinct; language 0 has adapter 0, language 1 none. */
function smallDataset(): Dataset {
  const english = Array.from({ length: 80 }, (_, i) => ({ text: `english ${i}`, ids: featurize(`english ${i}`, FEATURES) }));
  const train: TrainingPair[] = english.map((_, i) => ({ lang: i % 2, en: i, lrl: featurize(`lrl ${i}`, FEATURES), lrlText: `lrl ${i}`, weight: 1 }));
  const byLang = [0, 1].map((lang) => train.flatMap((p, i) => (p.lang === lang ? [i] : [])));
  return {
    langs: ['xx', 'yy'], english, train, validation: [], byLang, translationGroups: [], mono: [], morph: [], features: FEATURES,
    manifest: { files: [], pairs: {}, validation: {} },
  } as unknown as Dataset;
}

function draw(adapterDropout: number | undefined, batches: number) {
  const config = trainConfigSchema.parse({
    name: 't', seed: 1, data: { trainDir: 'x', monoDir: 'x', morphDir: 'x' },
    model: { buckets: 1024, dim: 8 }, train: { batchSize: 16 },
    ...(adapterDropout === undefined ? {} : { augment: { adapterDropout } }),
  });
  const dataset = smallDataset();
  const params = initEncoderParams({ buckets: 1024, dim: 8, adapterLangs: ['xx'], adapterRank: 2 }, createRng(3), 1, (n) => new Float32Array(n));
  const sampler = createPairBatchSampler(config, dataset, (lang) => (lang === 0 ? 0 : -1), createRng(7), createRng(8));
  return Array.from({ length: batches }, () => {
    const batch = sampler.sample(params, undefined);
    return { pairs: batch.pairs.map((p) => p.en), adapters: batch.lrl.inputs.map((input) => input.adapter), langs: batch.pairs.map((p) => p.lang) };
  });
}

test('without adapter dropout every pair goes through its own language adapter', () => {
  for (const { adapters, langs } of draw(undefined, 5)) {
    assert.deepEqual(adapters, langs.map((lang) => (lang === 0 ? 0 : -1)));
  }
});

test('adapter dropout 1 encodes every non-English side without an adapter, and draws the same pairs', () => {
  const off = draw(undefined, 5);
  const on = draw(1, 5);
  assert.deepEqual(on.map((b) => b.pairs), off.map((b) => b.pairs), 'the batch stream is untouched');
  for (const { adapters } of on) assert.ok(adapters.every((a) => a === -1));
});

test('adapter dropout p drops a share p of the adapted pairs, never adds an adapter', () => {
  const batches = draw(0.3, 200);
  let adapted = 0;
  let dropped = 0;
  for (const { adapters, langs } of batches) {
    langs.forEach((lang, k) => {
      if (lang === 1) assert.equal(adapters[k], -1, 'a language without an adapter stays without');
      else {
        adapted++;
        if (adapters[k] === -1) dropped++;
      }
    });
  }
  const share = dropped / adapted;
  // 200 batches × ~8 adapted pairs: the share's sd is ≈ 0.011, so ± 0.05 is over 4 sd.
  assert.ok(Math.abs(share - 0.3) < 0.05, `dropped share ${share.toFixed(3)}`);
});
