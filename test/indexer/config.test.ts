import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectionConfigSchema, DEFAULT_EF_STEPS, defaultEfFor, searchEfOf } from '../../indexer/config.js';

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

test('a collection config without ef stores none (the size decides); one with ef keeps it', () => {
  assert.deepEqual(collectionConfigSchema.parse({}).hnsw, { M: 16, efConstruction: 200 });
  assert.deepEqual(collectionConfigSchema.parse({ hnsw: { ef: 64 } }).hnsw, { M: 16, efConstruction: 200, ef: 64 });
});
