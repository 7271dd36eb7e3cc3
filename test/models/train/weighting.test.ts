import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTaskWeighting } from '../../../models/train/weighting.js';

test('static weighting is all ones', () => {
  const w = createTaskWeighting('static', { cl: 100, morph: 1 }, ['cl', 'morph']).weights(0.3);
  assert.equal(w.cl, 1);
  assert.equal(w.morph, 1);
  assert.equal(w.lang, 0, 'tasks not in the run get no weight');
});

test('dynamic weighting scales auxiliaries to a share of CL’s gradient, boosts small data and shifts to CL over time', () => {
  const weighting = createTaskWeighting('dynamic', { cl: 10_000, lang: 10_000, morph: 100 }, ['cl', 'lang', 'morph']);
  weighting.observe('cl', 2);
  weighting.observe('lang', 0.02);
  weighting.observe('morph', 2);
  const early = weighting.weights(0);
  const late = weighting.weights(1);
  // lang: 0.25 × (2 / 0.02) × schedule 1.5 = 37.5 → capped at 20
  assert.equal(early.lang, 20);
  // morph: prior (10000/100)^¼ = √10 ≈ 3.16, × 0.25 × (2/2) × 1.5
  assert.ok(Math.abs(early.morph - Math.sqrt(10) * 0.25 * 1.5) < 1e-9);
  assert.equal(early.cl, 0.5);
  assert.equal(late.cl, 1.5);
  assert.ok(late.morph < early.morph);
  // The language loss's effective gradient stays a bounded share of CL's.
  assert.ok(early.lang * 0.02 <= 0.25 * 1.5 * 2 + 1e-9);
});
