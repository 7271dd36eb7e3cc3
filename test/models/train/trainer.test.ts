/**
 * The training loop is pinned: two tiny single-threaded runs (every task on, hard negatives mined; mean and attention
 * pooling) must reproduce the losses, weights, validation scores and parameters recorded before the tasks were split
 * into `TrainingTask`s (issue 22). A change that moves any of them changes what a config trains, and must say so here.
 * Also: a single-threaded checkpoint from before the shared step schedule (no `schedule` in it) resumes exactly.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { trainConfigSchema, type TrainConfig } from '../../../models/train/config.js';
import { loadDataset, type Dataset } from '../../../models/train/dataset.js';
import type { EncoderParams } from '../../../models/train/encoder-params.js';
import { TRAINING_TASKS, enabledTasks } from '../../../models/train/tasks/index.js';
import { train, type TrainResult, type TrainSnapshot } from '../../../models/train/trainer.js';
import { SYNTHETIC_TEACHER, writeSyntheticData } from './synthetic-data.js';

const DATA = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-trainer-'));
writeSyntheticData(DATA, { auxiliary: true });

const VARIANTS = {
  mean: { model: {}, train: {} },
  attention: {
    model: { pooling: 'attention' },
    train: { claSides: 'english', weighting: 'static', epochs: 2.5, hardNegatives: { perBatch: 8, topM: 4, every: 0.5 } },
  },
} as const;

function variantConfig(variant: keyof typeof VARIANTS): TrainConfig {
  const v = VARIANTS[variant];
  return trainConfigSchema.parse({
    name: 'pinned',
    seed: 11,
    data: { trainDir: path.join(DATA, 'train'), monoDir: path.join(DATA, 'mono'), morphDir: path.join(DATA, 'morph'), validationPerLang: 60 },
    model: { buckets: 2048, dim: 16, adapterMinPairs: 100, adapterRank: 2, ...v.model },
    train: { epochs: 2, batchSize: 32, auxBatchSize: 8, claBatchSize: 8, lr: 0.3, tau: 0.1, evalEvery: 10, threads: 1, hardNegatives: { perBatch: 8, topM: 4 }, ...v.train },
  });
}

const load = (config: TrainConfig): Promise<Dataset> => loadDataset({ ...config.data, features: { buckets: 2048, minN: 3, maxN: 5, words: true } });

function paramsSha256(p: EncoderParams): string {
  const hash = crypto.createHash('sha256');
  for (const a of [p.table, p.U, p.V, ...(p.logits ? [p.logits] : [])]) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return hash.digest('hex');
}

const fingerprint = (r: TrainResult) => ({
  history: r.history.map(({ pairsPerSecond: _timing, ...rest }) => rest),
  validation: r.validation,
  steps: r.steps,
  params: paramsSha256(r.params),
});

/** Recorded with the trainer of commit b2f9b0d (before issue 22), by the same runs. */
const RECORDED = JSON.parse(fs.readFileSync(new URL('../../../../test/fixtures/trainer-pinned.json', import.meta.url), 'utf8')) as Record<string, unknown>;

for (const variant of Object.keys(VARIANTS) as Array<keyof typeof VARIANTS>) {
  test(`a tiny ${variant}-pooling run reproduces the recorded losses, scores and parameters`, async () => {
    const config = variantConfig(variant);
    const dataset = await load(config);
    assert.deepEqual(enabledTasks({ config, dataset, teacher: SYNTHETIC_TEACHER, headLength: 1 }).map((t) => t.name), ['cl', 'lang', 'cla', 'mono', 'morph']);
    assert.deepEqual(JSON.parse(JSON.stringify(fingerprint(train(config, dataset, SYNTHETIC_TEACHER)))), RECORDED[variant]);
  });
}

test('tasks without their data or teacher are left out', async () => {
  const config = variantConfig('mean');
  const dataset = await load(config);
  const names = (setup: Partial<Parameters<typeof enabledTasks>[0]>) => enabledTasks({ config, dataset, teacher: SYNTHETIC_TEACHER, headLength: 1, ...setup }).map((t) => t.name);
  assert.deepEqual(names({ teacher: undefined }), ['cl', 'lang', 'mono', 'morph']);
  assert.deepEqual(names({ headLength: 0 }), ['cl', 'lang', 'mono', 'morph']);
  assert.deepEqual(names({ dataset: { ...dataset, morph: [], mono: [], translationGroups: [] } }), ['cl', 'lang', 'cla']);
  assert.deepEqual(names({ config: { ...config, train: { ...config.train, tasks: { ...config.train.tasks, cl: false, lang: false } } } }), ['cla', 'mono', 'morph']);
  assert.equal(new Set(TRAINING_TASKS.map((t) => t.name)).size, TRAINING_TASKS.length);
});

test('a single-threaded snapshot without a step schedule (written before it was shared) resumes exactly', async () => {
  const config = variantConfig('attention');
  const dataset = await load(config);
  const uninterrupted = train(config, dataset, SYNTHETIC_TEACHER);
  let snapshot: TrainSnapshot | undefined;
  const stopAt = 23; // after the first mining (17), before the next (26) and the next log (30)
  const stopped = train(config, dataset, SYNTHETIC_TEACHER, {
    checkpoint: { due: () => false, nextStep: () => Infinity, msUntilDue: () => Infinity, save: (s) => (snapshot = structuredClone(s)) },
  }, { stopAfter: stopAt });
  assert.equal(stopped.stopped, true);
  assert.deepEqual(snapshot!.workers[0]!.schedule, { nextLog: 30, nextMining: 26 });
  delete snapshot!.workers[0]!.schedule;
  const resumed = train(config, dataset, SYNTHETIC_TEACHER, {}, { resume: snapshot });
  assert.deepEqual(fingerprint(resumed), fingerprint(uninterrupted));
});
