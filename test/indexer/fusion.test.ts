import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reciprocalRankFusion } from '../../indexer/fusion.js';

test('RRF sums 1/(60+rank) across lists', () => {
  const fused = reciprocalRankFusion([[{ label: 1 }, { label: 2 }], [{ label: 2 }, { label: 3 }]]);
  assert.deepEqual(fused.map((f) => f.label), [2, 1, 3]);
  assert.ok(Math.abs(fused[0]!.score - (1 / 62 + 1 / 61)) < 1e-12);
  assert.ok(Math.abs(fused[1]!.score - 1 / 61) < 1e-12);
  assert.ok(Math.abs(fused[2]!.score - 1 / 62) < 1e-12);
  assert.deepEqual(reciprocalRankFusion([[], []]), []);
});
