/** A tiny model must learn a synthetic cross-lingual alignment it cannot solve by surface overlap. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { trainConfigSchema } from '../../../models/train/config.js';
import { loadDataset } from '../../../models/train/dataset.js';
import { initEncoderParams } from '../../../models/train/encoder-params.js';
import { createRng } from '../../../core/rng.js';
import { train } from '../../../models/train/trainer.js';
import { validate } from '../../../models/train/validate.js';
import { writeSyntheticData } from './synthetic-data.js';

test('a tiny model learns a synthetic alignment (validation MRR@10 rises far above the untrained encoder)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-train-'));
  writeSyntheticData(dir);
  const config = trainConfigSchema.parse({
    name: 'tiny',
    seed: 3,
    data: { trainDir: path.join(dir, 'train'), monoDir: path.join(dir, 'none'), morphDir: path.join(dir, 'none'), validationPerLang: 60 },
    model: { buckets: 4096, dim: 32, adapterMinPairs: 100, adapterRank: 4 },
    train: { epochs: 5, batchSize: 32, lr: 0.3, tau: 0.1, evalEvery: 1000, hardNegatives: { perBatch: 8 } },
  });
  const features = { buckets: 4096, minN: 3, maxN: 5, words: true };
  const dataset = await loadDataset({ ...config.data, features });
  assert.ok(dataset.validation.length >= 40);
  assert.equal(new Set(dataset.validation.map((p) => p.en)).size <= dataset.validation.length, true);
  const trainEnglish = new Set(dataset.train.map((p) => p.en));
  assert.ok(dataset.validation.every((p) => !trainEnglish.has(p.en)), 'validation English never appears in training');

  const untrained = validate(initEncoderParams({ buckets: 4096, dim: 32, adapterLangs: [], adapterRank: 4 }, createRng(3)), dataset, () => -1);
  const result = train(config, dataset, undefined);
  assert.ok(untrained.average < 0.3, `untrained ${untrained.average}`);
  assert.ok(result.validation.average > 0.6, `trained ${result.validation.average} (untrained ${untrained.average})`);
  assert.ok(result.history.at(-1)!.losses.cl! < result.history[0]!.losses.cl! || result.history.length === 1);
  assert.deepEqual(result.params.adapterLangs, ['xx']);

  const again = train(config, dataset, undefined);
  assert.equal(again.validation.average, result.validation.average, 'same seed, same model');
});

test('SIF and attention pooling train on the same task; SIF weights stay fixed, attention weights are learnt', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-train-pool-'));
  writeSyntheticData(dir);
  const features = { buckets: 4096, minN: 3, maxN: 5, words: true };
  for (const pooling of ['sif', 'attention'] as const) {
    const config = trainConfigSchema.parse({
      name: `tiny-${pooling}`,
      seed: 3,
      data: { trainDir: path.join(dir, 'train'), monoDir: path.join(dir, 'none'), morphDir: path.join(dir, 'none'), validationPerLang: 60 },
      model: { buckets: 4096, dim: 32, adapterMinPairs: 100, adapterRank: 4, pooling },
      train: { epochs: 5, batchSize: 32, lr: 0.3, tau: 0.1, evalEvery: 1000, hardNegatives: { perBatch: 8 } },
    });
    const dataset = await loadDataset({ ...config.data, features });
    const result = train(config, dataset, undefined);
    assert.ok(result.validation.average > 0.6, `${pooling}: trained ${result.validation.average}`);
    const logits = result.params.logits!;
    const distinct = new Set(logits).size;
    assert.ok(distinct > 10, `${pooling}: per-feature weights (${distinct} distinct)`);
    if (pooling === 'sif') {
      const untrained = train({ ...config, train: { ...config.train, epochs: 0.01 } }, dataset, undefined).params.logits!;
      assert.deepEqual(logits, untrained, 'SIF weights come from frequencies, not gradients');
      assert.ok(logits.every((x) => x <= 0), 'SIF weights are at most 1');
    }
  }
});
