import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averageRanks, spearman } from '../../eval/spearman.js';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

test('average ranks for ties', () => {
  assert.deepEqual(averageRanks([10, 20, 20, 30]), [1, 2.5, 2.5, 4]);
  assert.deepEqual(averageRanks([5, 5, 5]), [2, 2, 2]);
  assert.deepEqual(averageRanks([3, 1, 2]), [3, 1, 2]);
});

test('textbook example without ties: IQ vs hours of TV, ρ = −29/165', () => {
  const iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
  const tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];
  close(spearman(iq, tv), -29 / 165);
});

test('ties use average ranks (values checked against scipy.stats.spearmanr)', () => {
  close(spearman([1, 2, 2, 3], [1, 2, 3, 4]), Math.sqrt(0.9));
  close(spearman([3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8]), 0.19885368120992467);
});

test('monotone transforms give ±1; a constant side gives NaN', () => {
  close(spearman([1, 2, 3, 4], [1, 4, 9, 16]), 1);
  close(spearman([1, 2, 3, 4], [0.9, 0.5, 0.2, -3]), -1);
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
  assert.throws(() => spearman([1, 2], [1]));
});
