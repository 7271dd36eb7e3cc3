import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { decideAutoModes, validationPairs } from '../../eval/auto-modes.js';
import type { EvalReport } from '../../eval/run.js';
import { validationHalfOf } from '../../models/translate/validation-split.js';
import { loadDataset } from '../../models/train/dataset.js';
import { tempDir } from '../helpers/engine.js';

const FEATURES = { buckets: 1024, minN: 3, maxN: 4, words: true };

test("auto-mode validation pairs are exactly the trainer's validation pairs (same held-out English strings)", async () => {
  const trainDir = path.join(tempDir(), 'train');
  fs.mkdirSync(trainDir);
  const words = ['open', 'file', 'save', 'the', 'new', 'window', 'close', 'tab', 'print', 'page'];
  for (const [lang, suffix] of [['sw', 'ni'], ['yo', 'ọ']] as const) {
    const records = Array.from({ length: 120 }, (_, i) => ({
      en: i % 7 === 0 ? words[i % 10]! : `${words[i % 10]} ${words[(i * 3) % 10]} ${i}`,
      text: `${words[(i * 7) % 10]}${suffix} ${i}`,
    }));
    records.push({ en: records[5]!.en, text: `another translation${suffix}` }); // two translations of one string
    fs.writeFileSync(path.join(trainDir, `${lang}.jsonl`), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  const data = { trainDir, monoDir: path.join(trainDir, 'none'), morphDir: path.join(trainDir, 'none'), excludeLangs: [], shortPairWeight: 0.5, validationPerLang: 10 };
  const dataset = await loadDataset({ ...data, features: FEATURES });
  const expected = dataset.validation.map((p) => `${dataset.langs[p.lang]}\t${dataset.english[p.en]!.text}\t${p.lrlText}`).sort();
  const rebuilt = validationPairs(data, FEATURES).map((p) => `${p.lang}\t${p.en}\t${p.text}`).sort();
  assert.ok(expected.length >= 20);
  assert.deepEqual(rebuilt, expected);
});

test('auto leaves dense only for the best candidate that beats it significantly, per language', () => {
  // 60 queries per language; reciprocal ranks per mode chosen so that the outcome is clear-cut.
  const report = (rr: (lang: string, i: number) => number) => ({
    perQuery: ['sw', 'yo', 'ha'].flatMap((lang) => Array.from({ length: 60 }, (_, i) => ({ id: `${lang}-${i}`, lang, metrics: { 'MRR@10': rr(lang, i) } }))),
  }) as unknown as EvalReport;
  const dense = report((_, i) => (i % 2 === 0 ? 0.5 : 0.25));
  const rows = decideAutoModes(dense, {
    // sw: both fused modes beat dense on every query, translate-hybrid by more; yo: hybrid better on one query only.
    hybrid: report((lang, i) => (lang === 'sw' ? 0.9 : lang === 'yo' && i === 0 ? 1 : i % 2 === 0 ? 0.5 : 0.25)),
    'translate-hybrid': report((lang, i) => (lang === 'sw' ? 1 : i % 2 === 0 ? 0.5 : 0.25)),
    // ha: translate is worse than dense everywhere.
    translate: report((lang, i) => (lang === 'ha' ? 0.1 : i % 2 === 0 ? 0.5 : 0.25)),
    // yo: translate-dense better on every query, by less than translate-hybrid on sw.
    'translate-dense': report((lang, i) => (lang === 'yo' ? 0.75 : i % 2 === 0 ? 0.5 : 0.25)),
  }, 1);
  const modes = Object.fromEntries(rows.map((r) => [r.lang, r.mode]));
  assert.deepEqual(modes, { ha: 'dense', sw: 'translate-hybrid', yo: 'translate-dense' });
  const sw = rows.find((r) => r.lang === 'sw')!;
  assert.ok(Math.abs(sw.candidates['translate-hybrid'].delta - (1 - 0.375)) < 1e-9);
  assert.ok(sw.candidates.hybrid.p < 0.05 && rows.find((r) => r.lang === 'yo')!.candidates.hybrid.p >= 0.05);
});

test('the held-out pairs split in two halves by English string, the same way every time', () => {
  const strings = Array.from({ length: 400 }, (_, i) => `string ${i}`);
  const halves = strings.map(validationHalfOf);
  assert.deepEqual(strings.map(validationHalfOf), halves);
  const fusion = halves.filter((h) => h === 'fusion-weights').length;
  assert.ok(fusion > 150 && fusion < 250, `${fusion} of 400`);
});
