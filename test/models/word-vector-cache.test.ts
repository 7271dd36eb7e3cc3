import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { WordVectorCache, createWordVectorCacheMemory, distinctKeys, wordKeys } from '../../models/onnx/word-vector-cache.js';

/** Writes word i of `words` with vector [values[i], …]. */
function put(cache: WordVectorCache, words: string[], values: number[]): void {
  const source = new Float32Array(words.length * cache.dim);
  values.forEach((v, i) => source.fill(v, i * cache.dim, (i + 1) * cache.dim));
  cache.write(wordKeys(words), words.map((_, i) => i), source);
}

/** Each word's cached first component, or undefined when it is not cached. */
function get(cache: WordVectorCache, words: string[]): Array<number | undefined> {
  const out = new Float32Array(words.length * cache.dim).fill(NaN);
  const missing = new Set(cache.read(wordKeys(words), out));
  return words.map((_, i) => (missing.has(i) ? undefined : out[i * cache.dim]));
}

test('stores and copies out vectors; counts hits and misses', () => {
  const cache = WordVectorCache.create(2, 4);
  assert.deepEqual(get(cache, ['maji']), [undefined]);
  put(cache, ['maji'], [7]);
  const out = new Float32Array(4);
  assert.deepEqual(cache.read(wordKeys(['moto', 'maji']), out), [0]);
  assert.deepEqual([...out], [0, 0, 7, 7], 'only the cached word\'s row is written');
  // write reads row i of the source for word i, and skips a word already cached
  cache.write(wordKeys(['maji', 'moto']), [0, 1], Float32Array.of(9, 9, 2, 3));
  assert.deepEqual(get(cache, ['maji', 'moto']), [7, 2]);
  assert.deepEqual(cache.stats, { hits: 3, misses: 2, size: 2, capacity: 4 });
});

test('clear forgets every word; the cache fills again from empty', () => {
  const cache = WordVectorCache.create(2, 3);
  put(cache, ['a', 'b', 'c'], [1, 2, 3]);
  cache.clear();
  assert.equal(cache.size, 0);
  assert.deepEqual(get(cache, ['a', 'b', 'c']), [undefined, undefined, undefined]);
  put(cache, ['d', 'a'], [4, 5]);
  assert.deepEqual(get(cache, ['a', 'b', 'd']), [5, undefined, 4]);
});

test('word keys: distinct for distinct words, equal for equal ones', () => {
  const words = ['a', 'b', 'ab', 'ba', 'maji', 'majі' /* Cyrillic і */, 'ninapenda', 'alipenda', ''];
  const keys = wordKeys([...words, 'maji']);
  const pairs = words.map((_, i) => `${keys[2 * i]}:${keys[2 * i + 1]}`);
  assert.equal(new Set(pairs).size, words.length);
  assert.equal(`${keys[2 * words.length]}:${keys[2 * words.length + 1]}`, pairs[4]);
});

test('CLOCK: when full, a word read since the last sweep outlives one that was not', () => {
  const cache = WordVectorCache.create(2, 3);
  put(cache, ['a', 'b', 'c'], [1, 2, 3]);
  assert.deepEqual(get(cache, ['a']), [1]);
  put(cache, ['d'], [4]);
  assert.deepEqual(get(cache, ['a', 'b', 'c', 'd']), [1, undefined, 3, 4], 'the oldest unreferenced word goes');
  assert.equal(cache.size, 3);
});

test('evictions keep every cached word findable (backward-shift deletion under heavy probing)', () => {
  // Crafted keys whose low bits fall on 4 table slots: long probe chains that every deletion must repair.
  const capacity = 37;
  const cache = new WordVectorCache(createWordVectorCacheMemory(1, capacity));
  const key = (i: number) => Uint32Array.of((i % 4) + 1024 * i, i);
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const out = new Float32Array(1);
  for (let step = 0; step < 5000; step++) {
    const i = Math.floor(next() * 200);
    if (cache.read(key(i), out).length === 0) {
      assert.equal(out[0], i, `word ${i} read back another word's vector`);
    } else {
      cache.write(key(i), [0], Float32Array.of(i));
      assert.equal(cache.read(key(i), out).length, 0, `word ${i} is found right after it is written`);
    }
    if (step % 250 === 0) {
      let found = 0;
      for (let w = 0; w < 200; w++) found += cache.read(key(w), out).length === 0 ? 1 : 0;
      assert.equal(found, cache.size, 'every row in use is reachable from the table');
    }
  }
  assert.equal(cache.size, capacity);
});

test('threads attached to one cache see each other\'s words and never a torn or foreign vector', async () => {
  const dim = 64;
  const memory = createWordVectorCacheMemory(dim, 300); // smaller than the 1,000 words: constant eviction
  const moduleUrl = new URL('../../models/onnx/word-vector-cache.js', import.meta.url).href;
  // Word w's vector is w + k/1000 in component k: a row mixing two words or two writes shows up at once.
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(${JSON.stringify(moduleUrl)}).then(({ WordVectorCache, wordKeys }) => {
      const { memory, seed } = workerData;
      const cache = new WordVectorCache(memory);
      const dim = memory.dim;
      let s = seed, bad = 0, hits = 0;
      const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
      for (let round = 0; round < 400; round++) {
        const ids = Array.from({ length: 20 }, () => Math.floor(rand() * 1000));
        const keys = wordKeys(ids.map((w) => 'w' + w));
        const out = new Float32Array(ids.length * dim);
        const missing = cache.read(keys, out);
        const miss = new Set(missing);
        ids.forEach((w, i) => {
          if (miss.has(i)) return;
          hits++;
          for (let k = 0; k < dim; k++) if (Math.abs(out[i * dim + k] - (w + k / 1000)) > 1e-3) { bad++; break; }
        });
        for (const i of missing) for (let k = 0; k < dim; k++) out[i * dim + k] = ids[i] + k / 1000;
        cache.write(keys, missing, out);
      }
      parentPort.postMessage({ bad, hits });
    });`;
  const results = await Promise.all(
    [1, 2, 3].map(
      (seed) =>
        new Promise<{ bad: number; hits: number }>((resolve, reject) => {
          const worker = new Worker(code, { eval: true, workerData: { memory, seed } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  for (const { bad, hits } of results) {
    assert.equal(bad, 0);
    assert.ok(hits > 0);
  }
  // The main thread attaches too and reads what the workers left.
  const cache = new WordVectorCache(memory);
  assert.equal(cache.size, 300);
  const words = Array.from({ length: 1000 }, (_, w) => `w${w}`);
  const out = new Float32Array(words.length * dim);
  const missing = new Set(cache.read(wordKeys(words), out));
  assert.equal(words.length - missing.size, 300);
  words.forEach((_, w) => {
    if (!missing.has(w)) assert.ok(Math.abs(out[w * dim + 5]! - (w + 0.005)) < 1e-3);
  });
});

test('rejects a bad shape', () => {
  assert.throws(() => createWordVectorCacheMemory(0, 4), /dim must be a positive integer/);
  assert.throws(() => createWordVectorCacheMemory(4, 1.5), /capacity must be a positive integer/);
});

test('distinctKeys: each word once, in order of first occurrence, and every token mapped to its word', () => {
  const tokens = ['maji', 'moto', 'maji', 'a', 'moto', 'maji', 'b'];
  const { keys, firstToken, tokenWords } = distinctKeys(wordKeys(tokens));
  assert.deepEqual([...firstToken], [0, 1, 3, 6]);
  assert.deepEqual([...tokenWords], [0, 1, 0, 2, 1, 0, 3]);
  assert.deepEqual([...keys], [...wordKeys(['maji', 'moto', 'a', 'b'])]);
  assert.equal(distinctKeys(new Uint32Array(0)).firstToken.length, 0);
  // Keys that share their low bits probe past each other.
  const crafted = Uint32Array.of(5, 1, 5 + 1024, 2, 5, 1, 5 + 2048, 3, 5 + 1024, 2);
  assert.deepEqual([...distinctKeys(crafted).tokenWords], [0, 1, 0, 2, 1]);
});
