import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { validationPairs } from '../../eval/auto-modes.js';
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
