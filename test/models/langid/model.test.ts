import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLangIdConfig } from '../../../models/langid/config.js';
import { featurizeWords, type Example } from '../../../models/langid/data.js';
import { createLangIdModel, createTrainedLanguageIdentifier, lossAndGradient, type LangIdModel } from '../../../models/langid/model.js';
import { adagradStep, createAdagradState, trainLangIdModel } from '../../../models/langid/train.js';
import { createRng } from '../../../core/rng.js';
import { SYLLABLES, syntheticStrings } from './synthetic.js';

function randomModel(seed: number): LangIdModel {
  const model = createLangIdModel({ buckets: 32, minN: 3, maxN: 5, words: true }, ['x', 'y', 'z'], 'float64');
  const rng = createRng(seed);
  for (let i = 0; i < model.weights.length; i++) model.weights[i] = 0.8 * rng.normal();
  for (let c = 0; c < model.bias.length; c++) model.bias[c] = 0.3 * rng.normal();
  return model;
}

test('gradient of the weighted cross-entropy matches central finite differences', () => {
  const model = randomModel(7);
  const ids = [3, 7, 7, 12, 31, 7]; // repeats: a row's gradient scales with its count
  const label = 1;
  const weight = 1.7;
  const g = lossAndGradient(model, ids, label, weight);
  const h = 1e-6;
  const numeric = (array: Float64Array, index: number): number => {
    const saved = array[index]!;
    array[index] = saved + h;
    const up = lossAndGradient(model, ids, label, weight).loss;
    array[index] = saved - h;
    const down = lossAndGradient(model, ids, label, weight).loss;
    array[index] = saved;
    return (up - down) / (2 * h);
  };
  const close = (analytic: number, fd: number, what: string): void => {
    assert.ok(Math.abs(analytic - fd) <= 1e-7 + 1e-5 * Math.abs(fd), `${what}: analytic ${analytic} vs numeric ${fd}`);
  };
  const k = model.labels.length;
  for (let c = 0; c < k; c++) close(g.dLogits[c]!, numeric(model.bias as Float64Array, c), `bias[${c}]`);
  const touched = new Map([...g.rows].map((r, j) => [r, g.rowScale[j]!]));
  for (const row of [3, 7, 12, 31, 0, 20]) {
    for (let c = 0; c < k; c++) {
      const analytic = (touched.get(row) ?? 0) * g.dLogits[c]!;
      close(analytic, numeric(model.weights as Float64Array, row * k + c), `W[${row},${c}]`);
    }
  }
  assert.equal(g.rows.length, 4);
  assert.ok(Math.abs(g.rowScale[g.rows.indexOf(7)]! - 3 / 6) < 1e-15);
});

test('an Adagrad step lowers the loss of the string it was taken on', () => {
  const model = randomModel(3);
  const state = createAdagradState(model);
  const ids = [1, 2, 5];
  const before = lossAndGradient(model, ids, 2).loss;
  adagradStep(model, state, ids, 2, 1, 0.1, 1e-8);
  assert.ok(lossAndGradient(model, ids, 2).loss < before);
});

test('learns a synthetic 3-language task and generalises to unseen strings', () => {
  const config = parseLangIdConfig({ features: { buckets: 4096 }, train: { epochs: 3, lr: 0.3 } });
  const labels = Object.keys(SYLLABLES);
  const toExample = (s: { text: string; lang: string }): Example => ({ ...featurizeWords(s.text, config.features), label: labels.indexOf(s.lang), weight: 1 });
  const train = syntheticStrings(300, 1).map(toExample);
  const heldOut = syntheticStrings(50, 2).map(toExample);
  const { model, history } = trainLangIdModel({ labels, train, heldOut }, config);
  assert.equal(history.length, 3);
  assert.ok(history[2]!.loss < history[0]!.loss);
  const id = createTrainedLanguageIdentifier(model, { name: 't', threshold: 0.5 });
  const test = syntheticStrings(100, 3);
  const right = test.filter((s) => id.identify(s.text)?.lang === s.lang).length;
  assert.ok(right / test.length > 0.97, `accuracy ${right / test.length}`);
  assert.equal(id.identify('kamatana')?.lang, 'aa');
  assert.equal(id.identify('zovoxo qoro')?.lang, 'bb');
});

test('training is deterministic for a seed', () => {
  const config = parseLangIdConfig({ features: { buckets: 512 }, train: { epochs: 1 } });
  const labels = Object.keys(SYLLABLES);
  const train = syntheticStrings(40, 5).map((s) => ({ ...featurizeWords(s.text, config.features), label: labels.indexOf(s.lang), weight: 1 }));
  const a = trainLangIdModel({ labels, train, heldOut: train }, config).model;
  const b = trainLangIdModel({ labels, train, heldOut: train }, config).model;
  assert.deepEqual(a.weights, b.weights);
});

test('unsure below the threshold, and for texts without features → undefined', () => {
  const model = createLangIdModel({ buckets: 64, minN: 3, maxN: 5, words: true }, ['aa', 'bb', 'cc']);
  // All-zero weights: every language has probability 1/3.
  const unsure = createTrainedLanguageIdentifier(model, { name: 'zero', threshold: 0.5 });
  assert.equal(unsure.identify('kamatana'), undefined);
  assert.ok(Math.abs(unsure.predict('kamatana')!.probability - 1 / 3) < 1e-12);
  const eager = createTrainedLanguageIdentifier(model, { name: 'zero', threshold: 0 });
  assert.equal(eager.identify('kamatana')?.confidence, 1 / 3);
  for (const text of ['', '   ', '%s … !!', '🙂']) {
    assert.equal(eager.identify(text), undefined, JSON.stringify(text));
    assert.equal(eager.predict(text), undefined);
  }
});
