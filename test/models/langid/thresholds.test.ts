import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LANGID_MANIFEST, loadLanguageIdentifier, quantizeLangIdModel, saveLangIdModel } from '../../../models/langid/io.js';
import { createLangIdModel, createTrainedLanguageIdentifier } from '../../../models/langid/model.js';
import { answerAt, calibrate, chooseLengthThresholds, type HeldOutPrediction } from '../../../models/langid/train.js';
import { tempDir } from '../../helpers/engine.js';

/** All-zero weights: every text gets probability 1/3 for each of the three labels. */
const flatModel = () => createLangIdModel({ buckets: 64, minN: 3, maxN: 5, words: true }, ['en', 'am', 'ti']);

test('per-length thresholds: a text is answered at the threshold of its script group and length bucket', () => {
  const id = createTrainedLanguageIdentifier(flatModel(), {
    name: 'm',
    threshold: 0.3,
    // Latin text is masked to en and am (p = 1/2 each), Ethiopic text to am and ti.
    scripts: { en: ['Latin'], am: ['Ethiopic', 'Latin'], ti: ['Ethiopic'] },
    scriptThresholds: { Ethiopic: 0.4 },
    lengthThresholds: { default: { '1': 0.6 }, Ethiopic: { '2-3': 0.6 } },
  });
  assert.equal(id.thresholdFor('kamatana'), 0.6);
  assert.equal(id.identify('kamatana'), undefined);
  assert.equal(id.thresholdFor('kamatana lama'), 0.3); // no 2–3-word threshold for the default group
  assert.equal(id.identify('kamatana lama')?.lang, 'en');
  assert.equal(id.thresholdFor('ሰላም'), 0.4); // Ethiopic one word: the script's length-blind threshold
  assert.equal(id.thresholdFor('ሰላም ዓለም'), 0.6);
  // p = 1/2: enough for one Ethiopic word, not for two.
  assert.equal(id.identify('ሰላም')?.lang, 'am');
  assert.equal(id.identify('ሰላም ዓለም'), undefined);
});

const prediction = (gold: string, words: number, right: boolean, probability: number, script = 'Latin'): HeldOutPrediction => ({
  gold,
  words,
  top: right ? gold : 'xx',
  probability,
  script,
});

test('length thresholds are chosen per bucket on the held-out strings of that length, never below the length-blind one', () => {
  const predictions = [
    // One word: right only when confident.
    ...Array.from({ length: 60 }, (_, i) => prediction(i % 2 ? 'aa' : 'bb', 1, i < 30, i < 30 ? 0.8 : 0.6)),
    // Four words and more: always right, even at p 0.2.
    ...Array.from({ length: 60 }, (_, i) => prediction(i % 2 ? 'aa' : 'bb', 5, true, 0.2)),
    // Two words: too few strings for a bucket of their own.
    ...Array.from({ length: 10 }, (_, i) => prediction(i % 2 ? 'aa' : 'bb', 2, true, 0.5)),
  ];
  const chosen = chooseLengthThresholds(predictions, { threshold: 0.45, scriptThresholds: {} }, 0.95);
  assert.equal(chosen.default!['1']!.threshold, 0.61);
  assert.equal(chosen.default!['4+']!.chosen, 0);
  assert.equal(chosen.default!['4+']!.threshold, 0.45);
  assert.equal(chosen.default!['2-3'], undefined);

  const calibration = calibrate(predictions, ['aa', 'bb'], undefined, 0.95);
  assert.deepEqual(calibration.lengthThresholds, { default: { '1': 0.61, '4+': calibration.threshold.threshold } });
  const answered = answerAt(predictions, calibration);
  assert.ok(answered.filter((p) => p.words === 1 && p.answer !== undefined).every((p) => p.answer === p.gold));
});

test('a format-1 manifest (no length thresholds) still loads; format 2 keeps them', () => {
  const quantized = quantizeLangIdModel(flatModel());
  const old = tempDir();
  saveLangIdModel(old, quantized, { name: 'v1', description: 'v1', threshold: 0.3 });
  const file = path.join(old, LANGID_MANIFEST);
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), formatVersion: 1 }));
  assert.equal(loadLanguageIdentifier(old).thresholdFor('kamatana'), 0.3);

  const current = tempDir();
  saveLangIdModel(current, quantized, { name: 'v2', description: 'v2', threshold: 0.3, lengthThresholds: { default: { '1': 0.5 } } });
  assert.equal(loadLanguageIdentifier(current).thresholdFor('kamatana'), 0.5);
  assert.equal(loadLanguageIdentifier(current, { lengthBlind: true }).thresholdFor('kamatana'), 0.3);
});
