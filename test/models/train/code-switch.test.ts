/**
 * Code-switching augmentation: which words may be swapped, how often, deterministically, on the non-English side
 * only; the tables must come from the same training files with the same hold-out; off unless configured.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createRng } from '../../../core/rng.js';
import { featurize, type FeatureConfig } from '../../../models/features.js';
import { buildCodeSwitchCandidates, codeSwitchIds, readCodeSwitchTables } from '../../../models/train/code-switch.js';
import { trainConfigSchema } from '../../../models/train/config.js';
import { loadDataset, type TrainingPair } from '../../../models/train/dataset.js';
import { initEncoderParams } from '../../../models/train/encoder-params.js';
import { runTraining } from '../../../models/train/run.js';
import { Trainer, initSharedState, localAllocator } from '../../../models/train/trainer.js';
import type { TranslationTable } from '../../../models/translate/table.js';
import { readTranslateConfig, trainTables } from '../../../models/translate/train.js';
import { writeSyntheticData } from './synthetic-data.js';

const FEATURES: FeatureConfig = { buckets: 4096, minN: 3, maxN: 4, words: true };
const key = (ids: Uint32Array) => ids.join(',');

function pair(lang: number, text: string): TrainingPair {
  return { lang, en: 0, lrl: featurize(text, FEATURES), lrlText: text, weight: 1 };
}

/** Two languages: "xx" has a table (kazu → water; mbe → house 0.6 / home 0.4; "paris" → itself), "yy" has none. */
function smallCase() {
  const table: TranslationTable = new Map([
    ['kazu', [{ term: 'water', weight: 1 }]],
    ['mbe', [{ term: 'house', weight: 0.6 }, { term: 'home', weight: 0.4 }]],
    ['tso', [{ term: 'fire', weight: 0.2 }, { term: 'light', weight: 0.8 }]],
    ['paris', [{ term: 'paris', weight: 1 }]],
  ]);
  const dataset = { langs: ['xx', 'yy'], train: [pair(0, 'Kazu mbe nyi tso'), pair(0, 'nyi paris'), pair(1, 'kazu mbe')] };
  const candidates = buildCodeSwitchCandidates(dataset, (lang) => (lang === 'xx' ? [table] : []), { minProbability: 0.3, features: FEATURES });
  return { dataset, candidates };
}

test('only words with a usable table entry are switchable: not the unknown word, not a translation into itself, not a language without a table', () => {
  const { candidates } = smallCase();
  // TrainingPair 0: kazu, mbe and tso (light 0.8 survives minProbability, fire 0.2 does not); nyi has no entry.
  assert.equal(candidates.pairSlots[1]! - candidates.pairSlots[0]!, 3);
  assert.equal(candidates.pairSlots[2]! - candidates.pairSlots[1]!, 0, '"paris" → "paris" changes nothing');
  assert.equal(candidates.pairSlots[3]! - candidates.pairSlots[2]!, 0, 'yy has no table');
  assert.deepEqual(candidates.coverage, { xx: { words: 6, switchable: 3 }, yy: { words: 2, switchable: 0 } });
});

test('a switched text has exactly the features of the text with those words replaced by English translations', () => {
  const { dataset, candidates } = smallCase();
  const allowed = new Set<string>();
  for (const kazu of ['kazu', 'water']) for (const mbe of ['mbe', 'house', 'home']) for (const tso of ['tso', 'light']) {
    allowed.add(key(featurize(`${kazu} ${mbe} nyi ${tso}`, FEATURES)));
  }
  const seen = new Set<string>();
  const rng = createRng(5);
  for (let i = 0; i < 400; i++) {
    const ids = codeSwitchIds(candidates, 0, dataset.train[0]!.lrl, 0.5, rng);
    assert.ok(allowed.has(key(ids)), 'only table words change, into their usable translations');
    seen.add(key(ids));
  }
  assert.equal(seen.size, allowed.size, 'every combination occurs');
  assert.equal(codeSwitchIds(candidates, 1, dataset.train[1]!.lrl, 1, rng), dataset.train[1]!.lrl, 'nothing switchable: the same array');
  assert.equal(codeSwitchIds(candidates, 0, dataset.train[0]!.lrl, 0, rng), dataset.train[0]!.lrl, 'rate 0: the same array');
});

test('each switchable word is replaced with probability `rate`, and translations by their probability', () => {
  const { dataset, candidates } = smallCase();
  const original = Uint32Array.from(dataset.train[0]!.lrl);
  const kazu = key(featurize('kazu', FEATURES));
  const house = key(featurize('house', FEATURES));
  const home = key(featurize('home', FEATURES));
  for (const rate of [0.1, 0.3]) {
    const rng = createRng(11);
    let kazuKept = 0;
    let houses = 0;
    let homes = 0;
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      const ids = key(codeSwitchIds(candidates, 0, dataset.train[0]!.lrl, rate, rng));
      if (ids.includes(kazu)) kazuKept++;
      if (ids.includes(house)) houses++;
      if (ids.includes(home)) homes++;
    }
    const switched = 1 - kazuKept / draws;
    assert.ok(Math.abs(switched - rate) < 0.015, `rate ${rate}: switched ${switched}`);
    assert.ok(Math.abs(houses / (houses + homes) - 0.6) < 0.04, `house share ${houses / (houses + homes)}`);
  }
  assert.deepEqual(dataset.train[0]!.lrl, original, 'the pair itself is never modified');
});

test('the same seed switches the same words', () => {
  const { dataset, candidates } = smallCase();
  const run = (seed: number) => {
    const rng = createRng(seed);
    return Array.from({ length: 50 }, () => key(codeSwitchIds(candidates, 0, dataset.train[0]!.lrl, 0.4, rng)));
  };
  assert.deepEqual(run(3), run(3));
  assert.notDeepEqual(run(3), run(4));
});

async function syntheticTables() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-codeswitch-'));
  writeSyntheticData(dir);
  const configFile = path.join(dir, 'translate.json');
  fs.writeFileSync(configFile, JSON.stringify({ name: 'tables', data: { trainDir: path.join(dir, 'train'), validationPerLang: 20 }, tables: { iterations: 5 } }));
  await trainTables(readTranslateConfig(configFile), path.join(dir, 'tables'), () => {});
  return dir;
}

function trainConfig(dir: string, augment?: { rate: number }) {
  return trainConfigSchema.parse({
    name: 'cs',
    seed: 2,
    data: { trainDir: path.join(dir, 'train'), monoDir: path.join(dir, 'none'), morphDir: path.join(dir, 'none'), validationPerLang: 20 },
    model: { buckets: 4096, dim: 16, adapters: false, pooling: 'mean', minN: 3, maxN: 4 },
    train: { epochs: 1, batchSize: 32, threads: 1, evalEvery: 1000, tasks: { mono: false, morph: false, cla: false }, hardNegatives: { enabled: false } },
    export: { tableDtype: 'float32' },
    ...(augment ? { augment: { codeSwitch: { ...augment, tables: path.join(dir, 'tables'), minProbability: 0.3 } } } : {}),
  });
}

test('tables are refused unless learnt from the same training file with the same validation hold-out', async () => {
  const dir = await syntheticTables();
  const file = path.join(dir, 'train', 'xx.jsonl');
  const { sha256FileSync } = await import('../../../core/hash.js');
  const files = [{ path: file, sha256: sha256FileSync(file) }];
  const tablesOf = readCodeSwitchTables(path.join(dir, 'tables'), files, { validationPerLang: 20 }, true);
  assert.equal(tablesOf('xx').length, 1);
  assert.ok(tablesOf('xx')[0]!.size > 10);
  assert.deepEqual(tablesOf('zz'), []);
  assert.equal(readCodeSwitchTables(path.join(dir, 'tables'), files, { validationPerLang: 20, validationMaxFraction: 0.1 }, true)('xx').length, 1);
  assert.throws(() => readCodeSwitchTables(path.join(dir, 'tables'), files, { validationPerLang: 100 }, true), /held out 20 validation pairs per language, this run holds out 100/);
  assert.throws(() => readCodeSwitchTables(path.join(dir, 'tables'), files, { validationPerLang: 20, validationMaxFraction: 0.25 }, true), /at most 0.1 of a language's strings, this run 0.25/);
  assert.throws(() => readCodeSwitchTables(path.join(dir, 'tables'), [{ path: file, sha256: '0'.repeat(64) }], { validationPerLang: 20 }, true), /learnt from other data/);
});

test('training: the English side is never switched, the other side is, and nothing changes when it is not configured', async () => {
  const dir = await syntheticTables();
  const features = { buckets: 4096, minN: 3, maxN: 4, words: true };

  // Not configured: no candidates, no record in model.json.
  const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-cs-off-'));
  await runTraining({ config: trainConfig(dir), outDir: plain });
  const plainCard = JSON.parse(fs.readFileSync(path.join(plain, 'model.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(plainCard.augment, undefined);
  assert.equal((plainCard.config as Record<string, unknown>).augment, undefined);

  // Configured: recorded with the tables' checksums and the switchable share of training words.
  const switched = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-cs-on-'));
  const onConfig = trainConfig(dir, { rate: 1 });
  await runTraining({ config: onConfig, outDir: switched });
  const card = JSON.parse(fs.readFileSync(path.join(switched, 'model.json'), 'utf8')) as { augment: { codeSwitch: { coverage: Record<string, { words: number; switchable: number }>; tables: Record<string, string> } } };
  assert.ok(card.augment.codeSwitch.coverage.xx!.switchable > 0);
  assert.match(card.augment.codeSwitch.tables.xx!, /^[0-9a-f]{64}$/);

  // At rate 1 every switchable word of the other side is English in every batch: the rows of features that only
  // switchable words of that side have are never trained, while English rows are (the English side is intact).
  const dataset = await loadDataset({ ...onConfig.data, features });
  const { buildCodeSwitchCandidates: build } = await import('../../../models/train/code-switch.js');
  const tablesOf = readCodeSwitchTables(path.join(dir, 'tables'), dataset.manifest.files, { validationPerLang: 20 }, true);
  dataset.codeSwitch = build(dataset, tablesOf, { minProbability: 0.3, features });
  const englishIds = new Set(dataset.english.flatMap((e) => [...e.ids]));
  const englishBefore = dataset.english.map((e) => key(e.ids));
  const lrlBefore = dataset.train.map((p) => key(p.lrl));
  const c = dataset.codeSwitch;
  const unswitchable = new Set<number>();
  dataset.train.forEach((p, i) => {
    const covered = new Uint8Array(p.lrl.length);
    for (let s = c.pairSlots[i]!; s < c.pairSlots[i + 1]!; s++) covered.fill(1, c.slotBegin[s]!, c.slotEnd[s]!);
    p.lrl.forEach((id, k) => covered[k] || unswitchable.add(id));
  });
  const onlySwitchable = [...new Set(dataset.train.flatMap((p) => [...p.lrl]))].filter((id) => !unswitchable.has(id) && !englishIds.has(id));
  assert.ok(onlySwitchable.length > 20, `${onlySwitchable.length} rows only switchable words have`);

  const shared = initSharedState(onConfig, dataset, undefined, localAllocator);
  const trainer = new Trainer(onConfig, dataset, undefined, shared);
  for (let step = 1; step <= 10; step++) trainer.step(step);
  const init = initEncoderParams({ buckets: 4096, dim: 16, adapterLangs: [], adapterRank: onConfig.model.adapterRank }, createRng(onConfig.seed), onConfig.model.initScale);
  const moved = (row: number) => shared.params.table.subarray(row * 16, row * 16 + 16).some((v, d) => v !== init.table[row * 16 + d]);
  assert.equal(onlySwitchable.filter(moved).length, 0, 'switched-away rows stay at their initial values');
  assert.ok([...englishIds].filter(moved).length > englishIds.size / 2, 'English rows are trained');
  assert.deepEqual(dataset.english.map((e) => key(e.ids)), englishBefore, 'English features unchanged');
  assert.deepEqual(dataset.train.map((p) => key(p.lrl)), lrlBefore, 'pairs unchanged');
});
