/** Finite-difference checks of every hand-written gradient in the trainer. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EncoderGrads, backwardBatch, forwardBatch, initEncoderParams, type EncoderInput } from '../../../models/train/encoder-params.js';
import { distillLoss } from '../../../models/train/losses/distill.js';
import { infoNce } from '../../../models/train/losses/infonce.js';
import { languageLoss } from '../../../models/train/losses/language.js';
import { createRng } from '../../../core/rng.js';
import { referenceForward } from '../../../models/onnx/reference.js';
import { sifLogits, toEncoderWeights } from '../../../models/train/encoder-params.js';

const EPS = 1e-3;

function randomArray(n: number, rng: ReturnType<typeof createRng>, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

function unitRows(n: number, dim: number, rng: ReturnType<typeof createRng>): Float32Array {
  const a = randomArray(n * dim, rng);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += a[i * dim + d]! ** 2;
    for (let d = 0; d < dim; d++) a[i * dim + d]! /= Math.sqrt(s);
  }
  return a;
}

/** Central difference of f at every index of x, compared with the analytic gradient. */
function checkGradient(name: string, x: Float32Array, analytic: Float32Array, f: () => number, indices?: number[]): void {
  const at = indices ?? [...x.keys()];
  for (const i of at) {
    const orig = x[i]!;
    x[i] = orig + EPS;
    const plus = f();
    x[i] = orig - EPS;
    const minus = f();
    x[i] = orig;
    const numeric = (plus - minus) / (2 * EPS);
    const tolerance = 2e-3 + 2e-2 * Math.abs(numeric);
    assert.ok(Math.abs(numeric - analytic[i]!) <= tolerance, `${name}[${i}]: numeric ${numeric} vs analytic ${analytic[i]}`);
  }
}

test('InfoNCE (symmetric, extra negatives, weights) matches finite differences', () => {
  const rng = createRng(1);
  const n = 4, m = 6, dim = 5, tau = 0.2;
  const A = unitRows(n, dim, rng);
  const B = unitRows(m, dim, rng);
  const w = Float32Array.from([1, 0.5, 2, 1]);
  const r = infoNce(A, B, n, m, dim, tau, w);
  checkGradient('dA', A, r.dA, () => infoNce(A, B, n, m, dim, tau, w).loss);
  checkGradient('dB', B, r.dB, () => infoNce(A, B, n, m, dim, tau, w).loss);
});

test('InfoNCE is small when positives dominate and log(n) when all scores tie', () => {
  const dim = 3;
  const I = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  assert.ok(infoNce(I, I, 3, 3, dim, 0.05).loss < 1e-6);
  assert.equal(infoNce(I, I, 3, 3, dim, 0.05).accuracy, 1);
  const same = Float32Array.from([1, 0, 0, 1, 0, 0, 1, 0, 0]);
  assert.ok(Math.abs(infoNce(same, same, 3, 3, dim, 1).loss - Math.log(3)) < 1e-9);
});

test('language loss matches finite differences and is zero for identical sides', () => {
  const rng = createRng(2);
  const n = 4, dim = 5;
  const E = unitRows(n, dim, rng);
  const L = unitRows(n, dim, rng);
  const r = languageLoss(E, L, n, dim);
  assert.ok(r.loss > 0);
  checkGradient('dE', E, r.dE, () => languageLoss(E, L, n, dim).loss);
  checkGradient('dL', L, r.dL, () => languageLoss(E, L, n, dim).loss);
  assert.equal(languageLoss(E, E.slice(), n, dim).loss, 0);
  const anchors = [0, 2, 2];
  const sub = languageLoss(E, L, n, dim, anchors);
  checkGradient('dE (anchors)', E, sub.dE, () => languageLoss(E, L, n, dim, anchors).loss);
  checkGradient('dL (anchors)', L, sub.dL, () => languageLoss(E, L, n, dim, anchors).loss);
});

test('distillation loss matches finite differences for the student and the head', () => {
  const rng = createRng(3);
  const n = 3, dim = 4, tdim = 6;
  const X = unitRows(n, dim, rng);
  const T = unitRows(n, tdim, rng);
  const W = randomArray(dim * tdim, rng, 0.3);
  const r = distillLoss(X, T, W, n, dim, tdim);
  checkGradient('dX', X, r.dX, () => distillLoss(X, T, W, n, dim, tdim).loss);
  checkGradient('dW', W, r.dW, () => distillLoss(X, T, W, n, dim, tdim).loss);
});

test('encoder forward equals the ONNX reference; backward matches finite differences for table and adapters', () => {
  const rng = createRng(4);
  const params = initEncoderParams({ buckets: 20, dim: 6, adapterLangs: ['sw', 'yo'], adapterRank: 2 }, rng);
  // Non-zero U so the adapter path is exercised (training starts from U = 0).
  for (let i = 0; i < params.U.length; i++) params.U[i] = rng.normal() * 0.3;
  const inputs: EncoderInput[] = [
    { ids: Uint32Array.from([1, 2, 3, 3]), adapter: -1 },
    { ids: Uint32Array.from([2, 5, 7]), adapter: 0 },
    { ids: Uint32Array.from([7, 11, 19, 1, 2]), adapter: 1 },
    { ids: new Uint32Array(0), adapter: 0 },
  ];
  const cache = forwardBatch(params, inputs);
  const weights = toEncoderWeights(params);
  inputs.forEach((input, i) => {
    const expected = referenceForward(weights, input.ids, input.adapter + 1);
    for (let d = 0; d < 6; d++) assert.ok(Math.abs(expected[d]! - cache.out[i * 6 + d]!) < 1e-6);
  });

  const c = randomArray(inputs.length * 6, rng);
  const loss = () => forwardBatch(params, inputs).out.reduce((s, x, i) => s + x * c[i]!, 0);
  const grads = new EncoderGrads(6, params.U.length, params.buckets);
  backwardBatch(params, cache, c, grads);
  const dTable = new Float32Array(params.table.length);
  for (const [id, g] of grads.rows()) dTable.set(g, id * 6);
  const touched = [1, 2, 3, 5, 7, 11, 19].flatMap((id) => Array.from({ length: 6 }, (_, d) => id * 6 + d));
  checkGradient('table', params.table, dTable, loss, touched);
  checkGradient('U', params.U, grads.U, loss);
  checkGradient('V', params.V, grads.V, loss);
  assert.equal(grads.has(0), false, 'untouched rows get no gradient');
  grads.reset();
  assert.equal([...grads.rows()].length, 0);
  assert.ok(grads.U.every((x) => x === 0));
});

test('weighted (SIF / attention) pooling: forward equals the ONNX reference; backward matches finite differences for table, logits and adapters', () => {
  const rng = createRng(5);
  const dim = 6;
  const params = initEncoderParams({ buckets: 20, dim, adapterLangs: ['sw'], adapterRank: 2 }, rng);
  for (let i = 0; i < params.U.length; i++) params.U[i] = rng.normal() * 0.3;
  params.logits = randomArray(20, rng, 0.8);
  const inputs: EncoderInput[] = [
    { ids: Uint32Array.from([1, 2, 3, 3]), adapter: -1 },
    { ids: Uint32Array.from([2, 5, 7]), adapter: 0 },
    { ids: Uint32Array.from([9]), adapter: 0 },
    { ids: new Uint32Array(0), adapter: -1 },
  ];
  const cache = forwardBatch(params, inputs);
  const weights = toEncoderWeights(params);
  assert.ok(weights.featureWeights, 'pooling weights are exported');
  inputs.forEach((input, i) => {
    const expected = referenceForward(weights, input.ids, input.adapter + 1);
    for (let d = 0; d < dim; d++) assert.ok(Math.abs(expected[d]! - cache.out[i * dim + d]!) < 1e-6);
  });
  // A single feature's weight cancels out: the vector is its row, whatever its logit.
  const single = referenceForward({ ...weights, adapters: undefined }, [9]);
  const row = params.table.subarray(9 * dim, 10 * dim);
  const rowNorm = Math.hypot(...row);
  for (let d = 0; d < dim; d++) assert.ok(Math.abs(single[d]! - row[d]! / rowNorm) < 1e-6);

  const c = randomArray(inputs.length * dim, rng);
  const loss = () => forwardBatch(params, inputs).out.reduce((s, x, i) => s + x * c[i]!, 0);
  const grads = new EncoderGrads(dim, params.U.length, params.buckets, { maxRows: 64, learnLogits: true });
  backwardBatch(params, cache, c, grads);
  const dTable = new Float32Array(params.table.length);
  for (const [id, g] of grads.rows()) dTable.set(g, id * dim);
  const ids = [1, 2, 3, 5, 7, 9];
  checkGradient('table', params.table, dTable, loss, ids.flatMap((id) => Array.from({ length: dim }, (_, d) => id * dim + d)));
  checkGradient('logits', params.logits, grads.logits!, loss, ids);
  assert.ok(Math.abs(grads.logits![9]!) < 1e-9, 'the logit of a lone feature has no gradient');
  checkGradient('U', params.U, grads.U, loss);
  checkGradient('V', params.V, grads.V, loss);
  grads.reset();
  assert.ok(grads.logits!.every((x) => x === 0));
});

test('SIF logits: log(a / (a + p)), frequent features weigh less, unseen ones weigh 1', () => {
  const counts = Float64Array.from([0, 1, 9, 90]);
  const a = 0.01;
  const logits = sifLogits(counts, a);
  assert.equal(logits[0], 0);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(Math.exp(logits[i]!) - a / (a + counts[i]! / 100)) < 1e-6);
  assert.ok(logits[3]! < logits[2]! && logits[2]! < logits[1]!);
});
