import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { featurize } from '../../../models/features.js';
import { writeOnnxEncoderDir } from '../../../models/onnx/export.js';
import { readEncoderModel } from '../../../models/onnx/import.js';
import { createOnnxEncoder } from '../../../models/onnx/onnx-encoder.js';
import { referenceForward, roundToInt8Rows, type EncoderWeights } from '../../../models/onnx/reference.js';
import { adaptLanguage } from '../../../models/train/adapt.js';
import { createRng } from '../../../core/rng.js';

const FEATURES = { buckets: 2048, minN: 3, maxN: 4, words: true };
const DIM = 32;
const WORDS = 'water house child mother father school book road tree sun moon rain fire bread milk river'.split(' ');

function randomWeights(seed: number, adapters?: { langs: string[]; rank: number }): EncoderWeights {
  const rng = createRng(seed);
  const table = Float32Array.from({ length: FEATURES.buckets * DIM }, () => rng.normal());
  if (!adapters) return { buckets: FEATURES.buckets, dim: DIM, table };
  const size = adapters.langs.length * DIM * adapters.rank;
  return {
    buckets: FEATURES.buckets,
    dim: DIM,
    table,
    adapters: { ...adapters, U: Float32Array.from({ length: size }, () => rng.normal() * 0.1), V: Float32Array.from({ length: size }, () => rng.normal() * 0.1) },
  };
}

function cipherPairs(seed: number, n: number): Array<{ en: string; text: string }> {
  const rng = createRng(seed);
  const lexicon = new Map(WORDS.map((w) => [w, `${w.split('').reverse().join('')}qx`]));
  return Array.from({ length: n }, () => {
    const words = Array.from({ length: 2 + rng.int(2) }, () => WORDS[rng.int(WORDS.length)]!);
    return { en: words.join(' '), text: words.map((w) => lexicon.get(w)).join(' ') };
  });
}

function mrr(weights: EncoderWeights, pairs: Array<{ en: string; text: string }>, adapter: number): number {
  const E = pairs.map((p) => referenceForward(weights, featurize(p.en, FEATURES), 0));
  let total = 0;
  pairs.forEach((p, i) => {
    const q = referenceForward(weights, featurize(p.text, FEATURES), adapter);
    const scores = E.map((e) => e.reduce((s, x, d) => s + x * q[d]!, 0));
    const rank = 1 + scores.filter((s, j) => j !== i && s > scores[i]!).length;
    total += rank <= 10 ? 1 / rank : 0;
  });
  return total / pairs.length;
}

test('importing an exported model gives back the served weights (int8 exactly)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-import-'));
  const weights = randomWeights(1, { langs: ['sw', 'yo'], rank: 4 });
  await writeOnnxEncoderDir(dir, { name: 'm', description: 'd', features: FEATURES, weights, tableDtype: 'int8' });
  const { weights: back, manifest } = await readEncoderModel(dir);
  assert.equal(manifest.tableDtype, 'int8');
  assert.deepEqual(back.table, roundToInt8Rows(weights.table, DIM));
  assert.deepEqual(back.adapters!.langs, ['sw', 'yo']);
  assert.deepEqual(back.adapters!.U, weights.adapters!.U);
  assert.deepEqual(back.adapters!.V, weights.adapters!.V);
});

test('adapt trains only the new language’s adapter, from a few hundred pairs, and it helps', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-adapt-'));
  const base = path.join(dir, 'base');
  const weights = randomWeights(2);
  await writeOnnxEncoderDir(base, { name: 'm', description: 'd', features: FEATURES, weights, tableDtype: 'float32' });
  const pairsFile = path.join(dir, 'pairs.jsonl');
  fs.writeFileSync(pairsFile, cipherPairs(3, 300).map((p) => JSON.stringify(p)).join('\n'));
  const out = path.join(dir, 'adapted');
  const result = await adaptLanguage({ modelDir: base, outDir: out, lang: 'zz', pairsFile, rank: 32, epochs: 40, lr: 0.02 });
  assert.equal(result.manifest.adapters.join(), 'zz');
  assert.equal(result.manifest.name, 'm+zz', 'an adapted model gets its own name');

  const { weights: adapted } = await readEncoderModel(out);
  assert.deepEqual(adapted.table, weights.table, 'the table is frozen');
  const heldOut = cipherPairs(99, 60);
  const before = mrr(weights, heldOut, 0);
  const after = mrr(adapted, heldOut, 1);
  assert.ok(after > before + 0.2, `held-out MRR@10 ${before.toFixed(3)} → ${after.toFixed(3)}`);

  // Served through onnxruntime: other languages (no adapter) are untouched.
  const encoder = await createOnnxEncoder(out);
  try {
    const [plain] = await encoder.embed(['water house'], { kind: 'query', lang: 'en' });
    const expected = referenceForward(weights, featurize('water house', FEATURES), 0);
    assert.ok(plain!.every((x, d) => Math.abs(x - expected[d]!) < 1e-5));
  } finally {
    await encoder.close?.();
  }
  await assert.rejects(adaptLanguage({ modelDir: base, outDir: out, lang: 'zz', pairsFile: path.join(dir, 'missing.jsonl') }), /pairs file not found/);
});
