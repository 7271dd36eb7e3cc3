/**
 * The vector index following SQLite when other processes write (issue 24): two engines on one data directory
 * stand for two server workers, or a server and the CLI.
 *   - a write acknowledged by one is found by the very next search on the other, however large;
 *   - a write is acknowledged only once the graph of the engine that made it holds it (writers cannot run ahead);
 *   - rows committed by another process between reading the change-log head and reading rows are not added twice;
 *   - compaction runs in slices while the old graph answers searches;
 *   - the passages written last are found even where the graph's approximate search misses them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Engine } from '../../indexer/engine.js';
import { contentHashOf } from '../../indexer/document-batch.js';
import { RECENT_EXACT_PASSAGES } from '../../indexer/recent-passages.js';
import { ANN_LIBRARIES } from '../../indexer/graph-store.js';
import type { GraphStore } from '../../indexer/graph-store.js';
import { BULK_EF_CONSTRUCTION } from '../../indexer/usearch-store.js';
import { dot } from '../../indexer/vector-store.js';
import { defaultEfFor } from '../../indexer/config.js';
import { sqliteStorageOf, sqliteStoreOf, tempDir, testEngine } from '../helpers/engine.js';

/** The collection's open vector index (searchable = graph + pending). */
function indexOf(engine: Engine, name = 'c') {
  return sqliteStorageOf(engine).indexOf(sqliteStoreOf(engine).requireCollection(name));
}

function graphOf(engine: Engine, name = 'c'): GraphStore {
  return indexOf(engine, name).vectorStore;
}

const documents = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, text: `hati ${prefix} namba ${i} kijiji${prefix}${i} maji safi na kilimo` }));

async function topIds(engine: Engine, query: string, k = 5): Promise<string[]> {
  return (await engine.search('c', { query, k, mode: 'dense' })).results.map((r) => r.passage_id);
}

test("another process's large write is found by the very next search; an own write is acknowledged once the graph holds it", async () => {
  const dir = tempDir();
  const writer = testEngine(dir);
  await writer.createCollection('c');
  const reader = testEngine(dir);
  try {
    const batch = documents('a', 3000);
    await writer.upsertDocuments('c', batch);
    // Far more than a search could insert into the reader's graph: found through the passages not yet in it.
    const last = batch.at(-1)!;
    assert.equal((await topIds(reader, last.text))[0], `${last.id}#0`);
    assert.equal((await reader.getCollection('c')).indexedVectors, 3000);

    // The reader's graph is still catching up in the background: its own write waits for the graph.
    assert.ok(graphOf(reader).size < 3000, 'the graph is behind (else this test proves nothing)');
    await reader.upsertDocuments('c', [{ id: 'own', text: 'hati ya msomaji mwenyewe' }]);
    assert.equal(graphOf(reader).size, 3001, 'acknowledged only once the graph holds every passage committed before it');
    assert.equal((await topIds(reader, 'hati ya msomaji mwenyewe'))[0], 'own#0');
  } finally {
    reader.close();
    writer.close();
  }
});

test('rows committed by another process between the head and the row read are not indexed twice', async () => {
  const dir = tempDir();
  const writer = testEngine(dir);
  await writer.createCollection('c');
  await writer.upsertDocuments('c', documents('d', 50));
  const follower = testEngine(dir);
  try {
    await follower.upsertDocuments('c', [{ id: 'warm', text: 'hati ya kwanza ya mfuasi' }]); // its graph holds everything
    const collection = sqliteStoreOf(writer).requireCollection('c');
    const encoder = writer.encoders.get(collection.encoder)!;
    const late = documents('x', 10);
    const vectors = await encoder.embed(late.map((d) => d.text), { kind: 'passage' });
    const lateBatch = late.map((document, i) => ({
      document,
      contentHash: contentHashOf(document, collection.config),
      passages: [{ text: document.text, searchText: document.text, start: 0, end: document.text.length, embedding: vectors[i]! }],
    }));

    for (let i = 0; i < 30; i++) await writer.deleteDocument('c', `d${i}`); // deleted slots for replays to fall into
    // The writer commits right after the follower has read the change-log head, before it reads the rows.
    const syncHead = sqliteStoreOf(follower).syncHead;
    sqliteStoreOf(follower).syncHead = (id: number) => {
      const head = syncHead(id);
      sqliteStoreOf(follower).syncHead = syncHead;
      sqliteStoreOf(writer).upsertDocuments(collection.id, lateBatch, new Set());
      return head;
    };
    await topIds(follower, 'maji safi');
    await writer.upsertDocuments('c', [{ id: 'next', text: 'hati inayofuata' }]); // the follower syncs again
    await topIds(follower, 'maji safi');

    const info = await follower.getCollection('c');
    assert.equal(info.passages, 50 - 30 + 1 + 10 + 1);
    assert.equal(info.indexedVectors, info.passages, 'indexed vectors = passages');
    for (const d of late) {
      const ids = await topIds(follower, d.text, 10);
      assert.equal(ids[0], `${d.id}#0`);
      assert.equal(new Set(ids).size, ids.length, `a passage listed twice: ${ids.join(', ')}`);
    }
  } finally {
    follower.close();
    writer.close();
  }
});

test('the passages written last are scored exactly: one the graph misses is still found, until RECENT_EXACT_PASSAGES newer ones are written', async () => {
  const engine = testEngine(tempDir());
  try {
    await engine.createCollection('c');
    await engine.upsertDocuments('c', documents('a', 20));
    const probe = { id: 'probe', text: 'uchunguzi wa pekee zumaridikivuko' };
    await engine.upsertDocuments('c', [probe]);
    const store = sqliteStoreOf(engine);
    const collection = store.requireCollection('c');
    const label = store.syncHead(collection.id).passageId; // the probe's passage: the last one written
    const graph = graphOf(engine);
    // An approximate search that never reaches the probe, as HNSW can miss a fresh node unlike its neighbours.
    const approximate = graph.search.bind(graph);
    graph.search = (query, k, filter, ef) => approximate(query, k + 1, filter, ef).filter((hit) => hit.label !== label).slice(0, k);

    assert.equal((await topIds(engine, probe.text))[0], 'probe#0', 'found among the recent passages');
    const ids = await topIds(engine, probe.text, 21);
    assert.equal(new Set(ids).size, 21, 'every passage once: a recent passage the graph also returns is not counted twice');
    const index = sqliteStorageOf(engine).indexOf(collection);
    const vector = store.vectorsOf([label])[0]!.vector;
    assert.equal(index.search(vector, 1)[0]!.label, label);
    assert.ok(!index.search(vector, 5, (other) => other !== label).some((hit) => hit.label === label), 'a filter applies to the recent passages');

    await engine.deleteDocument('c', 'a0'); // a recent passage deleted: the window reads the latest again, the probe stays
    assert.equal((await topIds(engine, probe.text))[0], 'probe#0');

    await engine.upsertDocuments('c', documents('b', RECENT_EXACT_PASSAGES));
    assert.notEqual((await topIds(engine, probe.text))[0], 'probe#0', 'out of the window, the graph alone answers (the test has its miss)');

    await engine.upsertDocuments('c', [{ id: 'late', text: 'hati ya mwisho kabisa zumaridi' }]);
    await engine.deleteDocument('c', 'late');
    assert.ok(!(await topIds(engine, 'hati ya mwisho kabisa zumaridi')).includes('late#0'), 'a deleted recent passage is gone');
  } finally {
    engine.close();
  }
});

test('which passages are scored exactly follows from the data: after a restart the latest ones still are', async () => {
  const dir = tempDir();
  const first = testEngine(dir);
  await first.createCollection('c');
  await first.upsertDocuments('c', documents('a', 30));
  const probe = { id: 'probe', text: 'uchunguzi wa pekee zumaridikivuko' };
  await first.upsertDocuments('c', [probe]);
  first.close(); // saves the graph
  const second = testEngine(dir);
  try {
    const store = sqliteStoreOf(second);
    const label = store.syncHead(store.requireCollection('c').id).passageId;
    await topIds(second, 'maji'); // opens the index from its file
    const graph = graphOf(second);
    const approximate = graph.search.bind(graph);
    graph.search = (query, k, filter, ef) => approximate(query, k + 1, filter, ef).filter((hit) => hit.label !== label).slice(0, k);
    assert.equal((await topIds(second, probe.text))[0], 'probe#0');
  } finally {
    second.close();
  }
});

test('compaction rebuilds the graph in slices: searches are answered by the old graph until the new one is swapped in', async () => {
  const engine = testEngine(tempDir());
  try {
    await engine.createCollection('c');
    const all = documents('k', 2400);
    await engine.upsertDocuments('c', all);
    for (let i = 0; i < 1200; i++) await engine.deleteDocument('c', `k${i}`);
    const old = graphOf(engine);
    assert.equal(old.elements, 2400, 'not compacted yet (deleted slots are not more than half)');

    await engine.deleteDocument('c', 'k1200'); // over half the slots are dead now: compaction is due
    assert.equal(graphOf(engine), old, 'the delete is acknowledged before the compaction ends');
    const survivor = all[2000]!;
    assert.equal((await topIds(engine, survivor.text))[0], `${survivor.id}#0`);
    assert.equal(graphOf(engine), old, 'a search was answered while the compaction runs');

    for (let turns = 0; graphOf(engine) === old; turns++) {
      assert.ok(turns < 1_000_000, 'compaction finishes');
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(graphOf(engine).elements, 2400 - 1201, 'the new graph has no deleted slots');
    assert.equal((await topIds(engine, survivor.text))[0], `${survivor.id}#0`);
    assert.deepEqual(await topIds(engine, all[5]!.text, 1199).then((ids) => ids.filter((id) => id.startsWith('k5#'))), []);
  } finally {
    engine.close();
  }
});

test('a bulk import (deferIndex) commits without the graph; catchUpIndex builds it from SQLite, with deletions, and saves it', async () => {
  const dir = tempDir();
  const engine = testEngine(dir);
  await engine.createCollection('c');
  try {
    await engine.upsertDocuments('c', documents('a', 300), { deferIndex: true });
    await engine.upsertDocuments('c', documents('b', 200), { deferIndex: true });
    await engine.deleteDocument('c', 'a7'); // not deferred: the index opens here and reads every write so far
    await engine.upsertDocuments('c', documents('e', 100), { deferIndex: true });
    await engine.upsertDocuments('c', [{ id: 'b3', text: 'hati iliyobadilishwa kabisa' }], { deferIndex: true });
    await engine.deleteDocument('c', 'e5');
    await engine.upsertDocuments('c', documents('f', 50), { deferIndex: true });
    // Searches still see deferred writes (scored exactly until the graph has them).
    assert.equal((await topIds(engine, documents('f', 50)[49]!.text))[0], 'f49#0');

    await engine.catchUpIndex('c');
    const graph = graphOf(engine);
    assert.equal(graph.size, 300 + 200 + 100 + 50 - 2);
    const index = indexOf(engine);
    assert.equal(index.size - index.vectorStore.size, 0, 'nothing pending');
    assert.equal((await topIds(engine, 'hati iliyobadilishwa kabisa'))[0], 'b3#0');
    assert.ok(!(await topIds(engine, documents('a', 8)[7]!.text)).includes('a7#0'));
  } finally {
    await engine.close();
  }
  // The saved file holds everything: a new engine loads it with nothing left to insert.
  const again = testEngine(dir);
  try {
    await again.getCollection('c');
    assert.equal((await topIds(again, documents('e', 7)[6]!.text))[0], 'e6#0');
    assert.equal(graphOf(again).size, 648);
    const index = indexOf(again);
    assert.equal(index.size - index.vectorStore.size, 0, 'nothing pending');
  } finally {
    await again.close();
  }
});

test('a fresh engine builds the graph of a deferred import (no index file yet) in one catch-up', async () => {
  const dir = tempDir();
  const writer = testEngine(dir);
  await writer.createCollection('c');
  await writer.upsertDocuments('c', documents('a', 400), { deferIndex: true });
  await writer.close(); // the index was never opened: no file
  const engine = testEngine(dir);
  try {
    await engine.catchUpIndex('c');
    assert.equal(graphOf(engine).size, 400);
    assert.equal((await topIds(engine, documents('a', 400)[123]!.text))[0], 'a123#0');
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'indexes', 'c.manifest.json'), 'utf8')) as { scalar: string; params: Record<string, number> };
    assert.equal(manifest.scalar, 'f16');
    assert.equal(manifest.params.bulkEfConstruction, BULK_EF_CONSTRUCTION, 'built in bulk from an empty graph');
  } finally {
    await engine.close();
  }
});

for (const library of ANN_LIBRARIES) {
  test(`${library}: the bulk path (deferIndex, one catch-up in batches) answers as the incremental path does, with an exact beam`, async () => {
    const corpus = [...documents('a', 150), ...documents('b', 150)];
    const queries = ['maji safi na kilimo', documents('a', 150)[42]!.text, documents('b', 150)[99]!.text, 'hati namba kijijib7'];
    // ef ≥ the collection size: both graphs answer exactly, so any difference is a difference in what they hold.
    const exactly = async (engine: Engine) =>
      Promise.all(queries.map(async (query) => (await engine.search('c', { query, k: 10, mode: 'dense', ef: 400 })).results.map((r) => [r.passage_id, r.score.toFixed(5)])));
    const incremental = testEngine(undefined, undefined, { library });
    const bulk = testEngine(undefined, undefined, { library });
    try {
      for (const engine of [incremental, bulk]) await engine.createCollection('c');
      for (let i = 0; i < corpus.length; i += 50) {
        await incremental.upsertDocuments('c', corpus.slice(i, i + 50));
        await bulk.upsertDocuments('c', corpus.slice(i, i + 50), { deferIndex: true });
      }
      await bulk.catchUpIndex('c'); // every passage enters the graph through addMany
      assert.equal(graphOf(bulk).size, 300);
      for (const engine of [incremental, bulk]) await engine.deleteDocument('c', 'a9');
      assert.equal(graphOf(bulk).size, 299);
      assert.deepEqual(await exactly(bulk), await exactly(incremental));
    } finally {
      await incremental.close();
      await bulk.close();
    }
  });
}

for (const scalar of ['f16', 'i8'] as const) {
  test(`usearch ${scalar}: the graph's candidates are rescored with the f32 vectors from SQLite: exact scores, the hits of the f32 graph`, async () => {
    const corpus = [...documents('a', 150), ...documents('b', 150)];
    const queries = ['maji safi na kilimo', documents('a', 150)[42]!.text, documents('b', 150)[99]!.text, 'hati namba kijijib7'];
    const results = async (engine: Engine) =>
      Promise.all(queries.map(async (query) => (await engine.search('c', { query, k: 10, mode: 'dense', ef: 400 })).results.map((r) => [r.passage_id, r.score])));
    const f32 = testEngine(undefined, undefined, { library: 'usearch', scalar: 'f32' });
    const rounded = testEngine(undefined, undefined, { library: 'usearch', scalar });
    try {
      for (const engine of [f32, rounded]) {
        await engine.createCollection('c');
        await engine.upsertDocuments('c', corpus, { deferIndex: true });
        await engine.catchUpIndex('c'); // the bulk path: no passage among the recent ones, the graph alone answers
      }
      const [exact, rescored] = [await results(f32), await results(rounded)];
      assert.deepEqual(rescored.map((hits) => hits.map(([id]) => id)), exact.map((hits) => hits.map(([id]) => id)));
      rescored.flat().forEach(([, score], i) => assert.ok(Math.abs((score as number) - (exact.flat()[i]![1] as number)) < 1e-6));

      // The test has teeth: the rounded graph's own scores are not exact.
      const store = sqliteStoreOf(rounded);
      const vector = store.vectorsOf([1])[0]!.vector;
      const approximate = graphOf(rounded).search(vector, 10, undefined, 400);
      const stored = new Map(store.vectorsOf(approximate.map((h) => h.label)).map((v) => [v.label, v.vector]));
      assert.ok(approximate.some((h) => Math.abs(h.score - dot(vector, stored.get(h.label)!)) > 1e-6));
    } finally {
      await f32.close();
      await rounded.close();
    }
  });
}

test("the graph is searched with the request's ef, else the collection's, else the default for the collection's size", async () => {
  const engine = testEngine(undefined);
  try {
    await engine.createCollection('c');
    await engine.createCollection('own-ef', { config: { hnsw: { ef: 200 } } });
    const asked: number[] = [];
    for (const name of ['c', 'own-ef']) {
      await engine.upsertDocuments(name, documents('a', 30), { deferIndex: true });
      await engine.catchUpIndex(name);
      const graph = graphOf(engine, name);
      const search = graph.search.bind(graph);
      graph.search = (query, k, filter, ef) => {
        asked.push(ef!);
        return search(query, k, filter, ef);
      };
    }
    const efOf = async (name: string, ef?: number) => {
      await engine.search(name, { query: 'maji safi', k: 5, mode: 'dense', ...(ef !== undefined ? { ef } : {}) });
      return asked.at(-1);
    };
    assert.equal(await efOf('c'), defaultEfFor(indexOf(engine, 'c').size));
    assert.equal(await efOf('c', 300), 300);
    assert.equal(await efOf('own-ef'), 200);
    assert.equal(await efOf('own-ef', 300), 300);
  } finally {
    await engine.close();
  }
});
