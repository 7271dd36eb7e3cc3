import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ANN_LIBRARIES, createGraphStore, DEFAULT_GRAPH, loadGraphStore, removeGraphFiles, type GraphChoice } from '../../indexer/graph-store.js';
import { checkUsearchFile } from '../../indexer/usearch-file.js';
import { BULK_EF_CONSTRUCTION, bulkEfConstructionOf, UsearchVectorStore } from '../../indexer/usearch-store.js';
import { dot } from '../../indexer/vector-store.js';
import { tempDir } from '../helpers/engine.js';

const DIM = 16;
const PARAMS = { M: 8, efConstruction: 100, ef: 64 };

/** Seeded unit vectors (mulberry32), `n` of them end to end. */
function unitVectors(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const v = out.subarray(i * DIM, (i + 1) * DIM);
    for (let d = 0; d < DIM; d++) v[d] = random();
    const norm = Math.hypot(...v);
    for (let d = 0; d < DIM; d++) v[d]! /= norm;
  }
  return out;
}

const rowOf = (vectors: Float32Array, i: number) => vectors.subarray(i * DIM, (i + 1) * DIM);
const labelsFrom = (first: number, n: number) => Array.from({ length: n }, (_, i) => first + i);

/** The exact top k labels (label = index + 1) among `live`. */
function exactTop(vectors: Float32Array, query: Float32Array, k: number, live: (label: number) => boolean): number[] {
  const scored: Array<[number, number]> = [];
  for (let i = 0; i < vectors.length / DIM; i++) if (live(i + 1)) scored.push([i + 1, dot(query, rowOf(vectors, i))]);
  return scored.sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, k).map(([label]) => label);
}

/**
 * usearch builds on one thread here: a graph built on several depends on their timing, and now and then one leaves a
 * node that no search reaches, which the per-query checks below would catch at random. Builds on several threads are
 * checked by their mean recall instead (next test).
 */
const CHOICES: GraphChoice[] = [
  ...ANN_LIBRARIES.map((library): GraphChoice => (library === 'usearch' ? { library, threads: 1 } : { library })),
  { library: 'usearch', scalar: 'f16', threads: 1 },
  { library: 'usearch', scalar: 'i8', threads: 1 },
];

test('usearch builds on two threads find the true neighbours: mean recall@10 over 100 queries with a beam as wide as the graph', () => {
  const vectors = unitVectors(1000, 9);
  // i8 rounds the stored vectors enough to reorder close neighbours (measured 0.971–0.978 against the exact top 10).
  for (const [scalar, minimum] of [[undefined, 0.97], ['f16', 0.97], ['i8', 0.93]] as const) {
    const store = createGraphStore({ library: 'usearch', threads: 2, ...(scalar ? { scalar } : {}) }, { dim: DIM, params: PARAMS });
    store.addMany(labelsFrom(1, 1000), vectors);
    let found = 0;
    for (let q = 0; q < 100; q++) {
      const query = rowOf(vectors, q * 10);
      const expected = exactTop(vectors, query, 10, () => true);
      found += store.search(query, 10, undefined, 1000).filter((h) => expected.includes(h.label)).length;
    }
    assert.ok(found / 1000 >= minimum, `${scalar ?? 'f32'}: mean recall@10 ${found / 1000}`);
  }
});

const nameOf = (c: GraphChoice) => `${c.library}${c.scalar ? ` ${c.scalar}` : ''}`;

for (const choice of CHOICES) {
  describe(`graph store: ${nameOf(choice)}`, () => {
    test('addMany and add, search with a beam as wide as the graph is exact; removed labels are never returned; filters apply', () => {
      const vectors = unitVectors(300, 1);
      const store = createGraphStore(choice, { dim: DIM, params: PARAMS });
      store.addMany(labelsFrom(1, 250), vectors.subarray(0, 250 * DIM));
      for (let i = 250; i < 300; i++) store.add(i + 1, rowOf(vectors, i));
      assert.equal(store.size, 300);
      assert.equal(store.elements, 300);
      const removed = new Set([3, 17, 42, 299]);
      for (const label of removed) store.remove(label);
      store.remove(100_000); // unknown: ignored
      assert.equal(store.size, 296);
      const even = (label: number) => label % 2 === 0;
      for (const q of [0, 16, 41, 150]) {
        const query = rowOf(vectors, q);
        const hits = store.search(query, 10, undefined, 300);
        const expected = exactTop(vectors, query, 10, (l) => !removed.has(l));
        // f16 and i8 store rounded vectors: neighbours can swap places, not leave the top 10 wholesale.
        if (choice.scalar === 'f16' || choice.scalar === 'i8') assert.ok(hits.filter((h) => expected.includes(h.label)).length >= 9);
        else assert.deepEqual(hits.map((h) => h.label), expected);
        assert.ok(hits.every((h) => !removed.has(h.label)));
        for (const h of hits) assert.ok(Math.abs(h.score - dot(query, rowOf(vectors, h.label - 1))) < 0.01);
        const filtered = store.search(query, 10, even, 300);
        assert.equal(filtered.length, 10);
        assert.ok(filtered.every((h) => even(h.label) && !removed.has(h.label)));
      }
      assert.deepEqual(store.search(rowOf(vectors, 0), 5, () => false), []);
    });

    test('save then load gives the same answers; the cursor and removals survive', () => {
      const dir = tempDir();
      const base = path.join(dir, 'c');
      const vectors = unitVectors(200, 2);
      const store = createGraphStore(choice, { base, dim: DIM, params: PARAMS, collectionId: 7 });
      store.addMany(labelsFrom(1, 200), vectors);
      store.remove(5);
      store.cursor = { passageId: 200, tombstoneSeq: 1 };
      store.save();
      const loaded = loadGraphStore(choice, { base, dim: DIM, params: PARAMS, collectionId: 7 });
      assert.ok(loaded.store, loaded.reason);
      assert.equal(loaded.store.size, 199);
      assert.deepEqual(loaded.store.cursor, { passageId: 200, tombstoneSeq: 1 });
      for (const q of [4, 50, 120]) {
        assert.deepEqual(loaded.store.search(rowOf(vectors, q), 10).map((h) => h.label), store.search(rowOf(vectors, q), 10).map((h) => h.label));
      }
      assert.match(loadGraphStore(choice, { base, dim: DIM, params: PARAMS, collectionId: 8 }).reason ?? '', /another collection/);
      assert.match(loadGraphStore(choice, { base, dim: DIM + 1, params: PARAMS }).reason ?? '', /dimension/);
      assert.match(loadGraphStore(choice, { base, dim: DIM, params: { ...PARAMS, M: 12 } }).reason ?? '', /parameters/);
      removeGraphFiles(base);
      assert.deepEqual(fs.readdirSync(dir), []);
    });

    test('the ef calibration goes into the manifest, is loaded with the graph and kept by later (background) saves; a manifest without one loads', async () => {
      const base = path.join(tempDir(), 'c');
      const store = createGraphStore(choice, { base, dim: DIM, params: PARAMS });
      store.addMany(labelsFrom(1, 50), unitVectors(50, 4));
      const calibration = { ef: 256, recall: 0.983, passages: 50, queries: 200, target: 0.98, seconds: 0.4 };
      store.efCalibration = calibration;
      store.save();
      const loaded = loadGraphStore(choice, { base, dim: DIM, params: PARAMS }).store!;
      assert.deepEqual(loaded.efCalibration, calibration);
      loaded.add(51, rowOf(unitVectors(1, 5), 0));
      assert.equal(await loaded.saveInBackground(() => true), true);
      assert.deepEqual(loadGraphStore(choice, { base, dim: DIM, params: PARAMS }).store!.efCalibration, calibration);
      const manifestFile = `${base}.manifest.json`;
      const { efCalibration: _dropped, ...old } = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(manifestFile, JSON.stringify(old));
      const fromOld = loadGraphStore(choice, { base, dim: DIM, params: PARAMS }).store!;
      assert.equal(fromOld.size, 51);
      assert.equal(fromOld.efCalibration, undefined);
    });

    test('a torn or corrupt index file is refused (checksum), never loaded', () => {
      const dir = tempDir();
      const base = path.join(dir, 'c');
      const store = createGraphStore(choice, { base, dim: DIM, params: PARAMS });
      store.addMany(labelsFrom(1, 50), unitVectors(50, 3));
      store.save();
      const file = fs.readdirSync(dir).find((f) => !f.endsWith('.json'))!;
      const bytes = fs.readFileSync(path.join(dir, file));
      fs.writeFileSync(path.join(dir, file), bytes.subarray(0, bytes.length - 100));
      assert.match(loadGraphStore(choice, { base, dim: DIM, params: PARAMS }).reason ?? '', /checksum/);
      fs.rmSync(path.join(dir, file));
      assert.match(loadGraphStore(choice, { base, dim: DIM, params: PARAMS }).reason ?? '', /missing/);
    });

    test('many removals ask for a compaction', () => {
      const store = createGraphStore(choice, { dim: DIM, params: PARAMS });
      store.addMany(labelsFrom(1, 2100), unitVectors(2100, 4));
      for (let label = 1; label <= 1000; label++) store.remove(label);
      assert.equal(store.needsCompaction(), false, '1000 of 2100 dead: not yet half');
      for (let label = 1001; label <= 1100; label++) store.remove(label);
      assert.equal(store.needsCompaction(), true);
      assert.equal(store.size, 1000);
    });
  });
}

describe('usearch', () => {
  test('removals interleaved with inserts keep the count right (usearch 2.25 remove fails there: tombstones instead)', () => {
    const store = createGraphStore({ library: 'usearch' }, { dim: DIM, params: PARAMS });
    const vectors = unitVectors(6 * 21, 5);
    store.addMany(labelsFrom(1, 6), vectors.subarray(0, 6 * DIM));
    for (let next = 7; next <= 6 * 21; next++) {
      store.remove(next - 6);
      store.add(next, rowOf(vectors, next - 1));
      assert.equal(store.size, 6);
    }
    assert.deepEqual(store.search(rowOf(vectors, 6 * 21 - 1), 6).map((h) => h.label).sort((a, b) => a - b), labelsFrom(6 * 20 + 1, 6));
  });

  test('the structural check refuses links outside the graph even when the checksum matches', () => {
    const dir = tempDir();
    const base = path.join(dir, 'c');
    const store = createGraphStore({ library: 'usearch' }, { base, dim: DIM, params: PARAMS });
    store.addMany(labelsFrom(1, 40), unitVectors(40, 6));
    store.save();
    const file = `${base}.usearch`;
    const bytes = fs.readFileSync(file);
    assert.deepEqual(checkUsearchFile(bytes, { dim: DIM, M: PARAMS.M, scalar: 'f32' }), { elements: 40, deleted: 0 });
    // The first node's first level-0 link: after the vectors, the 64-byte head, the 40-byte graph header, the levels and the node head.
    const firstLink = 8 + 40 * DIM * 4 + 64 + 40 + 2 * 40 + 10 + 4;
    assert.ok(bytes.readUInt32LE(firstLink - 4) > 0, 'the first node has links');
    bytes.writeUInt32LE(1_000_000, firstLink);
    assert.match((checkUsearchFile(bytes, { dim: DIM, M: PARAMS.M, scalar: 'f32' }) as { problem: string }).problem, /outside the graph/);
    fs.writeFileSync(file, bytes);
    const manifest = JSON.parse(fs.readFileSync(`${base}.manifest.json`, 'utf8')) as { sha256: string };
    manifest.sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    fs.writeFileSync(`${base}.manifest.json`, JSON.stringify(manifest));
    assert.match(loadGraphStore({ library: 'usearch' }, { base, dim: DIM, params: PARAMS }).reason ?? '', /unsound: node 0: link to 1000000/);
    assert.match((checkUsearchFile(bytes.subarray(0, bytes.length - 7), { dim: DIM, M: PARAMS.M, scalar: 'f32' }) as { problem: string }).problem, /truncated/);
    assert.match((checkUsearchFile(bytes, { dim: DIM, M: PARAMS.M, scalar: 'f16' }) as { problem: string }).problem, /vector size/);
  });
});

for (const choice of CHOICES.filter((c) => c.library === 'usearch')) {
  test(`graph store: ${nameOf(choice)}: adding a label it holds again keeps one copy, live (hnswlib's addPoint overwrites instead)`, () => {
    const vectors = unitVectors(20, 7);
    const store = createGraphStore(choice, { dim: DIM, params: PARAMS });
    store.addMany(labelsFrom(1, 10), vectors.subarray(0, 10 * DIM));
    store.remove(4);
    store.addMany(labelsFrom(1, 20), vectors);
    store.add(7, rowOf(vectors, 6));
    assert.equal(store.size, 20);
    assert.deepEqual(store.search(rowOf(vectors, 3), 1, undefined, 64).map((h) => h.label), [4]);
    assert.equal(store.search(rowOf(vectors, 6), 20, undefined, 64).filter((h) => h.label === 7).length, 1);
  });
}

test('a saved graph reloads with the scalar its manifest names, whatever the choice: i8 as i8, f16 as f16', () => {
  const vectors = unitVectors(100, 9);
  for (const scalar of ['i8', 'f16'] as const) {
    const base = path.join(tempDir(), 'c');
    const store = createGraphStore({ library: 'usearch', scalar }, { base, dim: DIM, params: PARAMS });
    store.addMany(labelsFrom(1, 100), vectors, { bulk: true });
    store.save();
    for (const choice of [DEFAULT_GRAPH, { library: 'usearch', scalar: 'f32' } as const]) {
      const loaded = loadGraphStore(choice, { base, dim: DIM, params: PARAMS });
      assert.ok(loaded.store instanceof UsearchVectorStore, loaded.reason);
      assert.equal(loaded.store.scalar, scalar);
      assert.equal(loaded.store.exactScores, false);
      assert.deepEqual(loaded.store.search(rowOf(vectors, 7), 10, undefined, 100).map((h) => h.label), store.search(rowOf(vectors, 7), 10, undefined, 100).map((h) => h.label));
    }
  }
});

test('usearch: single adds, then a batch on 2 threads that needs no growth (usearch sized for 1 thread refused it)', () => {
  const vectors = unitVectors(40, 8);
  const store = createGraphStore({ library: 'usearch', threads: 2 }, { dim: DIM, params: PARAMS });
  for (let i = 0; i < 20; i++) store.add(i + 1, rowOf(vectors, i));
  store.addMany(labelsFrom(21, 5), vectors.subarray(20 * DIM, 25 * DIM));
  store.addMany(labelsFrom(26, 15), vectors.subarray(25 * DIM, 40 * DIM));
  assert.equal(store.size, 40);
});

describe('usearch: the bulk construction expansion', () => {
  const params = { M: 8, efConstruction: 200, ef: 64 };
  /** One thread, so the graph the exactness check searches is the same in every run (see CHOICES). */
  const usearch: GraphChoice = { library: 'usearch', threads: 1 };
  const manifestOf = (base: string) => JSON.parse(fs.readFileSync(`${base}.manifest.json`, 'utf8')) as { params: Record<string, number> };

  test('a bulk build on an empty graph is recorded in the manifest; a reload with the same settings keeps it, another bulk expansion means a rebuild', () => {
    const dir = tempDir();
    const base = path.join(dir, 'c');
    const vectors = unitVectors(301, 5);
    const store = createGraphStore(usearch, { base, dim: DIM, params });
    store.addMany(labelsFrom(1, 300), vectors.subarray(0, 300 * DIM), { bulk: true });
    store.save();
    assert.equal(bulkEfConstructionOf(params), BULK_EF_CONSTRUCTION);
    assert.deepEqual(manifestOf(base).params, { M: 8, efConstruction: 200, bulkEfConstruction: BULK_EF_CONSTRUCTION });

    const loaded = loadGraphStore(usearch, { base, dim: DIM, params });
    assert.ok(loaded.store, loaded.reason);
    for (const q of [0, 99, 250]) {
      const query = rowOf(vectors, q);
      assert.deepEqual(loaded.store.search(query, 10, undefined, 300).map((h) => h.label), exactTop(vectors.subarray(0, 300 * DIM), query, 10, () => true));
    }
    loaded.store.add(301, rowOf(vectors, 300)); // grown one by one after loading: part of the graph is still the bulk build's
    loaded.store.save();
    assert.equal(manifestOf(base).params.bulkEfConstruction, BULK_EF_CONSTRUCTION);

    const manifest = manifestOf(base);
    fs.writeFileSync(`${base}.manifest.json`, JSON.stringify({ ...manifest, params: { ...manifest.params, bulkEfConstruction: 32 } }));
    assert.match(loadGraphStore(usearch, { base, dim: DIM, params }).reason ?? '', /parameters/);
  });

  test('no bulk expansion is recorded for inserts one by one, a bulk insert into a graph that has vectors, or an efConstruction at or below the cap', () => {
    const vectors = unitVectors(200, 6);
    const built = (options: { params: typeof params; bulkFirst: boolean }) => {
      const base = path.join(tempDir(), 'c');
      const store = createGraphStore(usearch, { base, dim: DIM, params: options.params });
      if (options.bulkFirst) store.addMany(labelsFrom(1, 100), vectors.subarray(0, 100 * DIM), { bulk: true });
      else store.add(1, rowOf(vectors, 0));
      store.addMany(labelsFrom(101, 100), vectors.subarray(100 * DIM), { bulk: true });
      store.save();
      return manifestOf(base).params;
    };
    assert.deepEqual(built({ params, bulkFirst: false }), { M: 8, efConstruction: 200 });
    assert.deepEqual(built({ params: { ...params, efConstruction: BULK_EF_CONSTRUCTION }, bulkFirst: true }), { M: 8, efConstruction: BULK_EF_CONSTRUCTION });
    assert.equal(bulkEfConstructionOf({ efConstruction: 40 }), 40);
  });
});
