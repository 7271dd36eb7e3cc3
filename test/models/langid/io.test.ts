import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LANGID_MANIFEST, LANGID_WEIGHTS, loadLangIdModel, loadLanguageIdentifier, quantizeLangIdModel, saveLangIdModel } from '../../../models/langid/io.js';
import { createLangIdModel, createTrainedLanguageIdentifier } from '../../../models/langid/model.js';
import { createRng } from '../../../core/rng.js';
import { tempDir } from '../../helpers/engine.js';

function randomQuantized() {
  const model = createLangIdModel({ buckets: 256, minN: 3, maxN: 5, words: true }, ['en', 'sw', 'yo']);
  const rng = createRng(11);
  for (let i = 0; i < model.weights.length; i++) model.weights[i] = i % 17 === 0 ? 0 : rng.normal();
  model.bias.set([0.1, -0.2, 0.05]);
  for (let c = 0; c < 3; c++) model.weights[5 * 3 + c] = 0; // an all-zero row (scale 0)
  return quantizeLangIdModel(model);
}

const TEXTS = ['Hamisha chini', 'Move down', 'Ẹ ku àárọ̀', 'x', 'a much longer string with several words in it'];

test('save → load gives back the saved model: identical probabilities, threshold and manifest', () => {
  const dir = tempDir();
  const quantized = randomQuantized();
  const manifest = saveLangIdModel(dir, quantized, { name: 'rt', description: 'round trip', threshold: 0.42, extra: { a: 1 } });
  assert.equal(manifest.weights.bytes, 16 + 4 * 256 + 4 * 3 + 256 * 3);
  assert.equal(fs.statSync(path.join(dir, LANGID_WEIGHTS)).size, manifest.weights.bytes);
  const before = createTrainedLanguageIdentifier(quantized.model, { name: 'rt', threshold: 0.42 });
  const loaded = loadLanguageIdentifier(dir);
  assert.equal(loaded.threshold, 0.42);
  assert.deepEqual(loaded.model.labels, ['en', 'sw', 'yo']);
  for (const text of TEXTS) assert.deepEqual(loaded.distribution(text), before.distribution(text), text);
  const { manifest: read } = loadLangIdModel(dir);
  assert.deepEqual(read.extra, { a: 1 });

  // Saving what was loaded writes the same bytes.
  const again = tempDir();
  saveLangIdModel(again, loadLangIdModel(dir).quantized, { name: 'rt', description: 'round trip', threshold: 0.42 });
  assert.deepEqual(fs.readFileSync(path.join(again, LANGID_WEIGHTS)), fs.readFileSync(path.join(dir, LANGID_WEIGHTS)));
});

test('int8 quantisation stays close to the float weights', () => {
  const model = createLangIdModel({ buckets: 64, minN: 3, maxN: 5, words: true }, ['a', 'b']);
  const rng = createRng(2);
  for (let i = 0; i < model.weights.length; i++) model.weights[i] = rng.normal();
  const { model: q, scales } = quantizeLangIdModel(model);
  for (let i = 0; i < model.weights.length; i++) assert.ok(Math.abs(q.weights[i]! - model.weights[i]!) <= scales[Math.floor(i / 2)]! / 2 + 1e-7);
});

test('a corrupted or mismatched weights file is refused with INPUT_FILE', () => {
  const dir = tempDir();
  saveLangIdModel(dir, randomQuantized(), { name: 'c', description: 'c', threshold: 0.5 });
  const file = path.join(dir, LANGID_WEIGHTS);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
  fs.writeFileSync(file, bytes);
  assert.throws(() => loadLangIdModel(dir), (e: Error & { code?: string }) => e.code === 'INPUT_FILE' && /sha256/.test(e.message));
  fs.writeFileSync(file, bytes.subarray(0, 100));
  assert.throws(() => loadLangIdModel(dir), (e: Error & { code?: string }) => e.code === 'INPUT_FILE');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, LANGID_MANIFEST), 'utf8'));
  fs.writeFileSync(path.join(dir, LANGID_MANIFEST), JSON.stringify({ ...manifest, formatVersion: 99 }));
  assert.throws(() => loadLangIdModel(dir), /format version 99/);
});
