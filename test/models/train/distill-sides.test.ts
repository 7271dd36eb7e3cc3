/**
 * `train.claSides`: distillation into the teacher's space pulls both sides of a pair (the original task) or only the
 * English side. Checked on the table rows themselves: with distillation as the only task, the rows of features that
 * occur only in the other language's texts stay at their initial values with 'english' and move with 'both'.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { featurize } from '../../../models/features.js';
import { trainConfigSchema } from '../../../models/train/config.js';
import { initEncoderParams } from '../../../models/train/encoder-params.js';
import { createRng } from '../../../core/rng.js';
import { runTraining } from '../../../models/train/run.js';
import { SYNTHETIC_TEACHER, writeSyntheticData } from './synthetic-data.js';

const DATA = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-distill-data-'));
writeSyntheticData(DATA);

function config(claSides: 'both' | 'english') {
  return trainConfigSchema.parse({
    name: `distill-${claSides}`,
    seed: 3,
    data: { trainDir: path.join(DATA, 'train'), monoDir: path.join(DATA, 'mono'), morphDir: path.join(DATA, 'morph'), validationPerLang: 20 },
    model: { buckets: 4096, dim: 16, adapters: false, pooling: 'mean' },
    train: {
      epochs: 1,
      batchSize: 32,
      claBatchSize: 32,
      claSides,
      threads: 1,
      evalEvery: 1000,
      tasks: { cl: false, lang: false, mono: false, morph: false, cla: true },
      hardNegatives: { enabled: false },
    },
    export: { tableDtype: 'float32' },
  });
}

/** Feature ids of each side of the synthetic pairs. */
function featureSides(features: { buckets: number; minN: number; maxN: number; words: boolean }) {
  const english = new Set<number>();
  const other = new Set<number>();
  for (const line of fs.readFileSync(path.join(DATA, 'train', 'xx.jsonl'), 'utf8').split('\n').filter(Boolean)) {
    const { en, text } = JSON.parse(line) as { en: string; text: string };
    for (const id of featurize(en, features)) english.add(id);
    for (const id of featurize(text, features)) other.add(id);
  }
  return { english, otherOnly: [...other].filter((id) => !english.has(id)) };
}

test("claSides 'english' leaves the other language's own feature rows untouched; 'both' moves them", async () => {
  const moved: Record<string, { otherOnly: number; english: number }> = {};
  for (const sides of ['english', 'both'] as const) {
    const cfg = config(sides);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `tafuta-distill-${sides}-`));
    const { result: { params } } = await runTraining({ config: cfg, outDir: out, teacher: { vectors: SYNTHETIC_TEACHER, cacheDir: 'fake-teacher' } });
    const { dim, buckets } = params;
    const init = initEncoderParams({ buckets, dim, adapterLangs: [], adapterRank: cfg.model.adapterRank }, createRng(cfg.seed), cfg.model.initScale);
    const features = { buckets, minN: cfg.model.minN, maxN: cfg.model.maxN, words: cfg.model.words };
    const { english, otherOnly } = featureSides(features);
    assert.ok(otherOnly.length > 20, `expected features only the cipher language has, got ${otherOnly.length}`);
    const rowMoved = (id: number) => params.table.subarray(id * dim, (id + 1) * dim).some((x, j) => x !== init.table[id * dim + j]);
    moved[sides] = { otherOnly: otherOnly.filter(rowMoved).length, english: [...english].filter(rowMoved).length };
  }
  assert.equal(moved.english!.otherOnly, 0, 'no distillation gradient reaches the other side');
  assert.ok(moved.english!.english > 0, 'the English side is distilled');
  assert.ok(moved.both!.otherOnly > 0 && moved.both!.english > 0, 'both sides are distilled');
});
