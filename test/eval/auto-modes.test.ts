import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decideAutoModes, validationPairs, writeAutoModes, type AutoModesReport } from '../../eval/auto-modes.js';
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
  const base = { trainDir, monoDir: path.join(trainDir, 'none'), morphDir: path.join(trainDir, 'none'), excludeLangs: [], shortPairWeight: 0.5 };
  // A quota of 10 pairs per language; and one of 1000 that only the cap (a quarter of the 120 strings) stops.
  for (const [hold, size] of [[{ validationPerLang: 10 }, [20, 22]], [{ validationPerLang: 1000, validationMaxFraction: 0.25 }, [50, 62]]] as const) {
    const data = { ...base, ...hold };
    const dataset = await loadDataset({ ...data, features: FEATURES });
    const expected = dataset.validation.map((p) => `${dataset.langs[p.lang]}\t${dataset.english[p.en]!.text}\t${p.lrlText}`).sort();
    const rebuilt = validationPairs(data, FEATURES).map((p) => `${p.lang}\t${p.en}\t${p.text}`).sort();
    assert.ok(expected.length >= size[0] && expected.length <= size[1], `${expected.length} validation pairs`);
    assert.deepEqual(rebuilt, expected);
  }
});

type Reciprocal = (lang: string, i: number) => number;
const report = (langs: readonly string[], rr: Reciprocal) => ({
  perQuery: langs.flatMap((lang) => Array.from({ length: 60 }, (_, i) => ({ id: `${lang}-${i}`, lang, metrics: { 'MRR@10': rr(lang, i) } }))),
}) as unknown as EvalReport;
const denseRr: Reciprocal = (_, i) => (i % 2 === 0 ? 0.5 : 0.25);

test('auto takes the best candidate that beats dense significantly on the language itself', () => {
  // 60 queries per language; reciprocal ranks per mode chosen so that the outcome is clear-cut.
  const langs = ['sw', 'yo', 'ha'];
  const { rows, pooled } = decideAutoModes(report(langs, denseRr), {
    // sw: both fused modes beat dense on every query, translate-hybrid by more; yo: hybrid better on one query only.
    // ha: every candidate is worse than dense, the pooled winner (translate-hybrid, carried by sw) too: ha keeps dense.
    hybrid: report(langs, (lang, i) => (lang === 'sw' ? 0.9 : lang === 'yo' && i === 0 ? 1 : lang === 'ha' ? 0.1 : denseRr(lang, i))),
    'translate-hybrid': report(langs, (lang, i) => (lang === 'sw' ? 1 : lang === 'ha' ? 0.1 : denseRr(lang, i))),
    translate: report(langs, (lang, i) => (lang === 'ha' ? 0.1 : denseRr(lang, i))),
    // yo: translate-dense better on every query, by less than translate-hybrid on sw.
    'translate-dense': report(langs, (lang, i) => (lang === 'yo' ? 0.75 : lang === 'ha' ? 0.1 : denseRr(lang, i))),
  }, 1);
  assert.deepEqual(Object.fromEntries(rows.map((r) => [r.lang, [r.mode, r.reason]])), {
    ha: ['dense', 'dense'],
    sw: ['translate-hybrid', 'language'],
    yo: ['translate-dense', 'language'],
  });
  assert.equal(pooled.winner, 'translate-hybrid');
  const sw = rows.find((r) => r.lang === 'sw')!;
  assert.ok(Math.abs(sw.candidates['translate-hybrid'].delta - (1 - 0.375)) < 1e-9);
  assert.ok(sw.candidates.hybrid.p < 0.05 && rows.find((r) => r.lang === 'yo')!.candidates.hybrid.p >= 0.05);
});

test('a gain too small to show in one language but shown by all of them together goes to every language it does not hurt', () => {
  // translate-dense lifts 3 of 60 queries in each of five languages (one language alone: p = 0.25) and lowers 7 in a
  // sixth (p ≈ 0.016); the other candidates equal dense everywhere.
  const gaining = ['am', 'ha', 'so', 'wo', 'yo'];
  const langs = [...gaining, 'ti'];
  const translateDense: Reciprocal = (lang, i) => {
    if (lang === 'ti') return i < 7 ? denseRr(lang, i) - 0.2 : denseRr(lang, i);
    return i < 6 && i % 2 === 0 ? 1 : denseRr(lang, i);
  };
  const same = report(langs, denseRr);
  const { rows, pooled } = decideAutoModes(report(langs, denseRr), { hybrid: same, 'translate-hybrid': same, translate: same, 'translate-dense': report(langs, translateDense) }, 1);
  assert.equal(pooled.winner, 'translate-dense');
  assert.ok(pooled.candidates['translate-dense'].p < 0.05, `pooled p ${pooled.candidates['translate-dense'].p}`);
  for (const row of rows) {
    if (row.lang === 'ti') {
      assert.ok(row.candidates['translate-dense'].delta < 0 && row.candidates['translate-dense'].p < 0.05, `ti p ${row.candidates['translate-dense'].p}`);
      assert.deepEqual([row.mode, row.reason], ['dense', 'dense']);
    } else {
      assert.ok(Math.abs(row.candidates['translate-dense'].delta - 1.5 / 60) < 1e-9);
      assert.ok(row.candidates['translate-dense'].p >= 0.05, `${row.lang} p ${row.candidates['translate-dense'].p}`);
      assert.deepEqual([row.mode, row.reason], ['translate-dense', 'pooled'], row.lang);
    }
  }
});

test('the held-out pairs split in two halves by English string, the same way every time', () => {
  const strings = Array.from({ length: 400 }, (_, i) => `string ${i}`);
  const halves = strings.map(validationHalfOf);
  assert.deepEqual(strings.map(validationHalfOf), halves);
  const fusion = halves.filter((h) => h === 'fusion-weights').length;
  assert.ok(fusion > 150 && fusion < 250, `${fusion} of 400`);
});

test("a replica's measured choice is stored in another model only if both were trained with one recipe", () => {
  const dir = tempDir();
  const recipe = { model: { dim: 256, pooling: 'attention' }, train: { epochs: 9 } };
  const model = (name: string, config: object) => {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, 'model.json'), JSON.stringify({ name, config }));
    return path.join(dir, name);
  };
  const replica = model('replica', { name: 'replica', seed: 2, data: { trainDir: 'data/train', validationPerLang: 400, validationMaxFraction: 0.25 }, ...recipe });
  const shipped = model('shipped', { name: 'shipped', seed: 1, data: { trainDir: 'data/train', validationPerLang: 100 }, ...recipe });
  const other = model('other', { name: 'other', seed: 2, data: { trainDir: 'data/train', validationPerLang: 400 }, ...recipe, train: { epochs: 6 } });
  const autoModes = { languages: { yo: 'translate-dense' as const }, default: 'dense' as const };
  const report = { encoder: { name: 'replica', dir: replica, version: undefined }, rule: 'r', date: 'd', command: 'c', autoModes } as unknown as AutoModesReport;
  writeAutoModes(shipped, report);
  const written = JSON.parse(fs.readFileSync(path.join(shipped, 'model.json'), 'utf8')) as { name: string; autoModes: Record<string, unknown> };
  assert.equal(written.name, 'shipped');
  assert.deepEqual(written.autoModes, { ...autoModes, rule: 'r', measured: 'd', command: 'c', measuredOn: 'replica' });
  assert.throws(() => writeAutoModes(other, report), /not trained with the recipe of/);
  assert.equal((JSON.parse(fs.readFileSync(path.join(other, 'model.json'), 'utf8')) as { autoModes?: unknown }).autoModes, undefined);
});

test('tafuta auto-modes --write-to: a target that is not a model, or of another recipe, exits 2 before measuring and writes nothing', () => {
  const cli = fileURLToPath(new URL('../../bin/tafuta.js', import.meta.url));
  const shipped = fileURLToPath(new URL('../../../models/cmtp-base', import.meta.url));
  const dir = tempDir();
  const other = path.join(dir, 'other');
  fs.mkdirSync(other);
  const otherManifest = JSON.stringify({ name: 'other', config: { name: 'other', train: { epochs: 1 } } });
  fs.writeFileSync(path.join(other, 'model.json'), otherManifest);
  for (const [target, message] of [[path.join(dir, 'missing'), /no model\.json there/], [other, /not trained with the recipe of/]] as const) {
    const r = spawnSync(process.execPath, [cli, 'auto-modes', '--model', shipped, '--write-to', target], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TAFUTA_LOG_LEVEL: 'warn' } });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
  }
  assert.equal(fs.readFileSync(path.join(other, 'model.json'), 'utf8'), otherManifest);
  assert.ok(!fs.existsSync(path.join(dir, 'missing')));
});
