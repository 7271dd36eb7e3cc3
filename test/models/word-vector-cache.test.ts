import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WordVectorCache } from '../../models/onnx/word-vector-cache.js';

const vec = (x: number, dim = 2) => new Float32Array(dim).fill(x);
const row = (cache: WordVectorCache, slot: number) => Array.from(cache.vectors.subarray(slot * cache.dim, (slot + 1) * cache.dim));

test('stores and finds vectors; counts hits and misses', () => {
  const cache = new WordVectorCache(2, 4);
  assert.equal(cache.lookup('maji'), -1);
  const slot = cache.insert('maji', vec(7), 0);
  assert.equal(cache.lookup('maji'), slot);
  assert.deepEqual(row(cache, slot), [7, 7]);
  // insert reads `dim` floats from `offset`
  const other = cache.insert('moto', Float32Array.of(0, 1, 2, 3), 2);
  assert.deepEqual(row(cache, other), [2, 3]);
  assert.deepEqual(cache.stats, { hits: 1, misses: 1, size: 2, capacity: 4 });
});

test('keeps its vectors when the slab grows', () => {
  const cache = new WordVectorCache(3, 5000);
  for (let i = 0; i < 3000; i++) cache.insert(`w${i}`, vec(i, 3), 0);
  for (let i = 0; i < 3000; i += 97) assert.deepEqual(row(cache, cache.lookup(`w${i}`)), [i, i, i]);
  assert.equal(cache.size, 3000);
});

test('CLOCK: when full, a word looked up since the last sweep outlives one that was not', () => {
  const cache = new WordVectorCache(2, 3);
  for (const w of ['a', 'b', 'c']) cache.insert(w, vec(1), 0);
  cache.beginBatch();
  assert.ok(cache.lookup('a') >= 0);
  cache.beginBatch(); // 'a' is referenced but no longer pinned
  cache.insert('d', vec(4), 0);
  assert.ok(cache.lookup('a') >= 0, 'the referenced word survives');
  assert.equal(cache.lookup('b'), -1, 'the oldest unreferenced word goes');
  assert.equal(cache.size, 3);
  assert.deepEqual(row(cache, cache.lookup('d')), [4, 4]);
});

test('rows pinned by the current batch are never evicted; a batch that does not fit gets -1', () => {
  const cache = new WordVectorCache(2, 3);
  cache.beginBatch();
  const slots = ['a', 'b', 'c'].map((w, i) => cache.insert(w, vec(i), 0));
  assert.equal(cache.insert('d', vec(9), 0), -1, 'every slot is in use by this batch');
  ['a', 'b', 'c'].forEach((w, i) => assert.deepEqual(row(cache, slots[i]!), [i, i], w));
  cache.beginBatch();
  assert.ok(cache.lookup('b') >= 0);
  assert.ok(cache.insert('d', vec(9), 0) >= 0);
  assert.ok(cache.insert('e', vec(9), 0) >= 0);
  assert.ok(cache.lookup('b') >= 0, 'pinned in this batch');
  assert.equal(cache.insert('f', vec(9), 0), -1, 'b, d and e are pinned');
});

test('rejects a bad shape', () => {
  assert.throws(() => new WordVectorCache(0, 4), /dim must be a positive integer/);
  assert.throws(() => new WordVectorCache(4, 1.5), /capacity must be a positive integer/);
});
