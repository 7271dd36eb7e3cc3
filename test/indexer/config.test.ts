import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CALIBRATION_HOLDS_GROWTH, calibrationHolds, collectionConfigSchema, DEFAULT_EF_STEPS, defaultEfFor, efCalibrationOf, searchBreadthOf, searchEfOf,
} from '../../indexer/config.js';

test('the default ef grows with the collection: each step from its first passage, never smaller for a larger collection', () => {
  assert.equal(defaultEfFor(0), 64);
  assert.equal(defaultEfFor(35_999), 64);
  assert.equal(defaultEfFor(36_000), 128);
  assert.equal(defaultEfFor(1_000_000), 1024);
  for (const [i, step] of DEFAULT_EF_STEPS.entries()) {
    assert.equal(defaultEfFor(step.fromPassages), step.ef);
    if (i > 0) {
      assert.equal(defaultEfFor(step.fromPassages - 1), DEFAULT_EF_STEPS[i - 1]!.ef);
      assert.ok(step.ef > DEFAULT_EF_STEPS[i - 1]!.ef && step.fromPassages > DEFAULT_EF_STEPS[i - 1]!.fromPassages);
    }
  }
  assert.equal(defaultEfFor(1e9), DEFAULT_EF_STEPS.at(-1)!.ef);
});

test("an explicit ef wins: the request's, then the collection's, then the default for the collection's size", () => {
  assert.equal(searchEfOf(300, { ef: 200 }, 1_000_000), 300);
  assert.equal(searchEfOf(undefined, { ef: 200 }, 1_000_000), 200);
  assert.equal(searchEfOf(undefined, { ef: 32 }, 1_000_000), 32, 'a collection may ask for less than the default');
  assert.equal(searchEfOf(undefined, {}, 1_000_000), defaultEfFor(1_000_000));
  assert.equal(searchEfOf(undefined, { ef: undefined }, 10), 64);
});

const CALIBRATED = { ef: 128, recall: 0.985, passages: 400_000, queries: 200, target: 0.98, seconds: 2.5 };

test("precedence: the request's ef, the collection's, the graph's calibration while it holds, the default for the size", () => {
  assert.deepEqual(searchBreadthOf(300, { ef: 200 }, 400_000, CALIBRATED), { ef: 300, source: 'request' });
  assert.deepEqual(searchBreadthOf(undefined, { ef: 200 }, 400_000, CALIBRATED), { ef: 200, source: 'collection' });
  assert.deepEqual(searchBreadthOf(undefined, {}, 400_000, CALIBRATED), { ef: 128, source: 'calibrated' });
  assert.deepEqual(searchBreadthOf(undefined, {}, 400_000), { ef: defaultEfFor(400_000), source: 'size-default' });
  assert.equal(searchEfOf(undefined, {}, 400_000, CALIBRATED), 128);
  // A calibration holds up to CALIBRATION_HOLDS_GROWTH × its passages (and for a collection that shrank).
  const limit = CALIBRATED.passages * CALIBRATION_HOLDS_GROWTH;
  assert.deepEqual(searchBreadthOf(undefined, {}, limit, CALIBRATED), { ef: 128, source: 'calibrated' });
  assert.deepEqual(searchBreadthOf(undefined, {}, limit + 1, CALIBRATED), { ef: defaultEfFor(limit + 1), source: 'size-default' });
  assert.equal(calibrationHolds(CALIBRATED, 1000), true);
  assert.equal(calibrationHolds(undefined, 1000), false);
});

test('a manifest calibration is taken only when well-formed (old manifests have none)', () => {
  assert.deepEqual(efCalibrationOf(CALIBRATED), CALIBRATED);
  assert.equal(efCalibrationOf(undefined), undefined);
  assert.equal(efCalibrationOf({ ...CALIBRATED, ef: 0 }), undefined);
  assert.equal(efCalibrationOf({ ef: 128 }), undefined);
  assert.equal(efCalibrationOf('128'), undefined);
  assert.deepEqual(efCalibrationOf({ ...CALIBRATED, later: 1 }), CALIBRATED, 'a field a later version adds is dropped');
});

test('a collection config without ef stores none (the size decides); one with ef keeps it', () => {
  assert.deepEqual(collectionConfigSchema.parse({}).hnsw, { M: 16, efConstruction: 200 });
  assert.deepEqual(collectionConfigSchema.parse({ hnsw: { ef: 64 } }).hnsw, { M: 16, efConstruction: 200, ef: 64 });
});
