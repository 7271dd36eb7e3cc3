import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../core/rng.js';
import { adapterBackward, applyAdapter, applyAdapterRows, type LowRankAdapter } from '../../../models/adapters/low-rank.js';

const DIM = 12;
const RANK = 3;

function randomAdapter(seed: number): LowRankAdapter {
  const rng = createRng(seed);
  const values = () => Float32Array.from({ length: DIM * RANK }, () => rng.normal() * 0.5);
  return { dim: DIM, rank: RANK, U: values(), V: values() };
}

function unitRows(seed: number, n: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const row = out.subarray(i * DIM, (i + 1) * DIM);
    for (let d = 0; d < DIM; d++) row[d] = rng.normal();
    const norm = Math.hypot(...row);
    for (let d = 0; d < DIM; d++) row[d]! /= norm;
  }
  return out;
}

/** v + U (Vᵀ v), normalised, written out the long way. */
function naive(adapter: LowRankAdapter, v: Float32Array): number[] {
  const h = Array.from({ length: RANK }, (_, r) => [...v].reduce((s, x, d) => s + adapter.V[d * RANK + r]! * x, 0));
  const w = [...v].map((x, d) => x + h.reduce((s, hr, r) => s + adapter.U[d * RANK + r]! * hr, 0));
  const norm = Math.hypot(...w);
  return w.map((x) => x / norm);
}

test('the adapter is normalize(v + U Vᵀ v), and the identity while U is zero', () => {
  const adapter = randomAdapter(1);
  const v = unitRows(2, 1);
  const out = applyAdapter(adapter, v);
  naive(adapter, v).forEach((x, d) => assert.ok(Math.abs(x - out[d]!) < 1e-6, `component ${d}`));
  const identity = { ...adapter, U: new Float32Array(DIM * RANK) };
  assert.deepEqual([...applyAdapter(identity, v)].map((x) => x.toFixed(6)), [...v].map((x) => x.toFixed(6)));
  const zero = new Float32Array(DIM);
  assert.equal(applyAdapter(adapter, zero), zero, 'a text without features stays the zero vector');
});

test('backward matches finite differences of a linear loss on the adapted rows', () => {
  const adapter = randomAdapter(3);
  const n = 4;
  const x = unitRows(4, n);
  const g = unitRows(5, n); // loss = Σ g · v′
  const loss = (a: LowRankAdapter) => applyAdapterRows(a, x, n).out.reduce((s, y, k) => s + y * g[k]!, 0);
  const dU = new Float32Array(DIM * RANK);
  const dV = new Float32Array(DIM * RANK);
  adapterBackward(adapter, x, applyAdapterRows(adapter, x, n), g, n, dU, dV);
  const eps = 1e-3;
  for (const [key, grad] of [['U', dU], ['V', dV]] as const) {
    for (const k of [0, 5, 17, DIM * RANK - 1]) {
      const plus = { ...adapter, [key]: adapter[key].slice() };
      const minus = { ...adapter, [key]: adapter[key].slice() };
      plus[key][k]! += eps;
      minus[key][k]! -= eps;
      const numeric = (loss(plus) - loss(minus)) / (2 * eps);
      assert.ok(Math.abs(numeric - grad[k]!) < 2e-3, `d${key}[${k}]: analytic ${grad[k]}, numeric ${numeric}`);
    }
  }
});
