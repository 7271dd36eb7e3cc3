import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairedBootstrap, randomizationTest } from '../../eval/significance.js';
import { seededRandom } from '../../eval/random.js';

const random = seededRandom(7);
const scores = Array.from({ length: 60 }, () => random());

test('identical systems: p = 1 and Δ = 0', () => {
  for (const t of [pairedBootstrap, randomizationTest]) {
    const r = t(scores, scores, { resamples: 2000 });
    assert.equal(r.delta, 0);
    assert.equal(r.p, 1);
  }
});

test('a system better on every query is significant', () => {
  const better = scores.map((x, i) => x + 0.05 + (i % 3) * 0.01);
  const boot = pairedBootstrap(scores, better, { resamples: 2000 });
  const perm = randomizationTest(scores, better, { resamples: 2000 });
  assert.ok(boot.p < 0.01, `bootstrap p = ${boot.p}`);
  assert.ok(perm.p < 0.01, `randomization p = ${perm.p}`);
  assert.ok(boot.delta > 0.05 && boot.ci95[0] > 0);
  assert.equal(perm.exact, false);
});

test('known small case: exact sign flipping of Δ = (1, 2, 3) gives p = 2/8', () => {
  const r = randomizationTest([0, 0, 0], [1, 2, 3]);
  assert.equal(r.exact, true);
  assert.equal(r.delta, 2);
  assert.equal(r.p, 0.25); // only all-plus and all-minus reach |mean| ≥ 2
  // Δ = (1, −1, 2, 0): sums ±1 ±1 ±2 are {4, 2, 2, 0, 0, −2, −2, −4}; |sum| ≥ 2 for 6 of 8 (the 0 term doubles both)
  assert.equal(randomizationTest([0, 1, 0, 5], [1, 0, 2, 5]).p, 0.75);
});

test('seeded: the same inputs give the same p; the direction of Δ does not change p', () => {
  const noisy = scores.map((x, i) => x + (i % 2 ? 0.02 : -0.01));
  const a = randomizationTest(scores, noisy, { seed: 3 });
  assert.deepEqual(randomizationTest(scores, noisy, { seed: 3 }), a);
  assert.equal(randomizationTest(noisy, scores, { seed: 3 }).p, a.p);
  assert.deepEqual(pairedBootstrap(scores, noisy, { seed: 3, resamples: 500 }), pairedBootstrap(scores, noisy, { seed: 3, resamples: 500 }));
});

test('groups: the statistic is the macro average over groups', () => {
  // group x: Δ = 1 on 3 queries; group y: Δ = 0 on 1 query → macro 0.5 (micro would be 0.75)
  const r = randomizationTest([0, 0, 0, 0], [1, 1, 1, 0], { groups: ['x', 'x', 'x', 'y'] });
  assert.equal(r.delta, 0.5);
  assert.equal(pairedBootstrap([0, 0, 0, 0], [1, 1, 1, 0], { groups: ['x', 'x', 'x', 'y'], resamples: 200 }).delta, 0.5);
  assert.throws(() => randomizationTest([1], [1, 2]));
});
