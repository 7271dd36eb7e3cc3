/**
 * A server's collection index adopting the graph another process saved (collection-index.ts, saved-graph-adoption.ts;
 * issue 23): `tafuta index` builds and saves the graph of an import the server holds as pending passages, so the
 * server loads that file instead of inserting them again. Two engines on one data directory stand for the server
 * and the CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Engine } from '../../indexer/engine.js';
import { CollectionIndex } from '../../indexer/collection-index.js';
import type { GraphChoice } from '../../indexer/graph-store.js';
import type { EfCalibration } from '../../indexer/config.js';
import { graphFileVerifierOnWorker, type GraphFileVerifier } from '../../indexer/graph-file-check.js';
import type { Logger } from '../../core/logger.js';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { dot } from '../../indexer/vector-store.js';
import { sqliteStorageOf, sqliteStoreOf, tempDir, testEngine } from '../helpers/engine.js';

/**
 * f32 graphs built on one thread. Their scores are exact, so with a beam over the whole graph their hits are exact
 * search's to the last rank (an f16 graph's candidates are rescored, and near-ties at the edge of its candidate list
 * could differ). One thread: the same graph every run, where inserts on two threads link the near-duplicate test
 * passages in a varying order and now and then leave one unreachable from the entry point (HNSW's, not adoption's).
 */
const F32_GRAPH: GraphChoice = { library: 'usearch', scalar: 'f32', threads: 1 };
const engineOn = (dir: string) => testEngine(dir, [createHashedNgramEncoder({ dim: 64 })], F32_GRAPH);

const documents = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, text: `hati ${prefix} namba ${i} kijiji${prefix}${i} maji safi na kilimo` }));

function indexOf(engine: Engine, name = 'c'): CollectionIndex {
  return sqliteStorageOf(engine).indexOf(sqliteStoreOf(engine).requireCollection(name));
}

const pendingOf = (index: CollectionIndex) => index.size - index.vectorStore.size;

/** A server holding `base` documents in its graph, and a CLI that imported `imported` more without the server's graph. */
async function serverAndImport(base = 100, imported = 1500): Promise<{ dir: string; server: Engine; cli: Engine }> {
  const dir = tempDir();
  const server = engineOn(dir);
  await server.createCollection('c');
  await server.upsertDocuments('c', documents('a', base));
  const cli = engineOn(dir);
  await cli.upsertDocuments('c', documents('b', imported), { deferIndex: true });
  return { dir, server, cli };
}

/**
 * Reads what the CLI committed into the server's pending passages; the background job this starts puts the first
 * slice of them into the graph at once, the rest on later turns of the event loop. The tests below take no such turn
 * until they have checked what they check (what they await settles within the same turn).
 */
function serverReads(index: CollectionIndex): void {
  index.markStale();
  index.sync();
}

/** The k nearest passages by exact search over every vector SQLite holds. */
function bruteForce(engine: Engine, query: Float32Array, k: number): number[] {
  const store = sqliteStoreOf(engine);
  const collection = store.requireCollection('c');
  return [...store.vectorsBetween(collection.id, 0, store.syncHead(collection.id).passageId)]
    .map(({ label, vector }) => ({ label, score: dot(query, vector) }))
    .sort((a, b) => b.score - a.score || a.label - b.label)
    .slice(0, k)
    .map((hit) => hit.label);
}

/** Every 97th stored passage's vector as a query: the index (with an exhaustive beam) answers as exact search does. */
function assertSameHitsAsBruteForce(engine: Engine, index: CollectionIndex): void {
  const store = sqliteStoreOf(engine);
  const collection = store.requireCollection('c');
  const all = [...store.vectorsBetween(collection.id, 0, store.syncHead(collection.id).passageId)];
  for (let i = 0; i < all.length; i += 97) {
    const query = all[i]!.vector;
    const hits = index.search(query, 10, undefined, all.length).map((hit) => hit.label);
    assert.deepEqual(hits, bruteForce(engine, query, 10), `query ${i}`);
  }
}

test("a server index with pending passages adopts the graph the CLI saved: nothing pending up to its cursor, the hits of exact search", async () => {
  const { server, cli } = await serverAndImport();
  try {
    const index = indexOf(server);
    const before = index.vectorStore;
    serverReads(index);
    assert.ok(pendingOf(index) > 0, 'the server has passages pending (else this test proves nothing)');

    await cli.catchUpIndex('c'); // the CLI builds its graph and saves it
    // (as a calibrated one: this collection is too small for the CLI to calibrate it)
    const calibration = { ef: 256, recall: 0.99, passages: 1600, queries: 200, target: 0.98, seconds: 0.1 };
    indexOf(cli).vectorStore.efCalibration = calibration;
    indexOf(cli).vectorStore.save();
    const head = sqliteStoreOf(server).syncHead(sqliteStoreOf(server).requireCollection('c').id);
    assert.equal(index.adoptSavedGraph(), true);
    assert.notEqual(index.vectorStore, before, 'the graph is the one loaded from the file');
    assert.deepEqual(index.efCalibration, calibration, 'its calibration comes with it');
    assert.deepEqual(index.searchBreadth(), { ef: 256, source: 'calibrated' });
    assert.equal(pendingOf(index), 0, 'no passage pending');
    assert.deepEqual(index.vectorStore.cursor, head);
    assert.equal(index.vectorStore.size, 1600);
    assertSameHitsAsBruteForce(server, index);
    assert.equal(index.adoptSavedGraph(), false, 'the same file is not loaded twice');

    // A file that would spare inserting only a few passages (fewer than ADOPTION_MIN_SHARE of it) is not loaded.
    await cli.upsertDocuments('c', documents('c', 20), { deferIndex: true });
    await cli.catchUpIndex('c');
    const adopted = index.vectorStore;
    assert.equal(index.adoptSavedGraph(), false);
    assert.equal(index.vectorStore, adopted);
  } finally {
    await cli.close();
    await server.close();
  }
});

test('a write and a deletion made after the CLI saved its graph survive the adoption', async () => {
  const { dir, server, cli } = await serverAndImport();
  try {
    const index = indexOf(server);
    const before = index.vectorStore;
    serverReads(index);
    await cli.catchUpIndex('c');

    // After the save: another process writes one document and deletes two (one in the saved graph and the server's,
    // one the server has pending); then the server writes one of its own, deferred (the index is only marked stale).
    // The deletion goes straight to SQLite: the engine's would wait for its own graph, turning the event loop.
    await cli.upsertDocuments('c', [{ id: 'late', text: 'hati iliyoandikwa baadaye zumaridikivuko' }], { deferIndex: true });
    assert.equal(sqliteStoreOf(cli).deleteDocumentsById(sqliteStoreOf(cli).requireCollection('c').id, ['b1400', 'a3']), 2);
    await server.upsertDocuments('c', [{ id: 'own', text: 'hati ya seva yenyewe kalamutinyo' }], { deferIndex: true });
    const saved = (JSON.parse(fs.readFileSync(path.join(dir, 'indexes', 'c.manifest.json'), 'utf8')) as { cursor: { passageId: number } }).cursor.passageId;

    // The server's write read the other process's commits (data_version moved), and that sync found the saved graph.
    assert.equal(index.adoptSavedGraph(), false, 'adopted already');
    assert.notEqual(index.vectorStore, before);
    assert.equal(pendingOf(index), 1, "the other process's write after the save is pending (the server's own is read by the next sync)");
    assert.equal(index.vectorStore.cursor.passageId, saved);
    const top = async (query: string) => (await server.search('c', { query, k: 3, mode: 'dense' })).results.map((r) => r.passage_id);
    assert.equal((await top('hati iliyoandikwa baadaye zumaridikivuko'))[0], 'late#0');
    assert.equal((await top('hati ya seva yenyewe kalamutinyo'))[0], 'own#0');
    assert.ok(!(await top(documents('b', 1401)[1400]!.text)).includes('b1400#0'), 'deleted after the save: gone');
    assert.ok(!(await top(documents('a', 4)[3]!.text)).includes('a3#0'), 'deleted after the save: gone');
    assert.equal(index.size, 100 + 1500 + 2 - 2);
    assertSameHitsAsBruteForce(server, index);

    await index.catchUp(); // the background job puts the two passages written after the save into the graph
    assert.equal(pendingOf(index), 0);
    assert.equal(index.vectorStore.size, 1600);
    assertSameHitsAsBruteForce(server, index);
  } finally {
    await cli.close();
    await server.close();
  }
});

test('a file that is not newer, is corrupt, belongs to another collection or is ahead of the database is ignored', async () => {
  // A collection of another database with the same name, a higher id and fewer passages.
  const otherDir = tempDir();
  const other = engineOn(otherDir);
  await other.createCollection('x');
  await other.createCollection('c');
  await other.upsertDocuments('c', documents('o', 1000));
  await other.close();

  const { dir, server, cli } = await serverAndImport();
  const indexFile = path.join(dir, 'indexes', 'c.usearch');
  const manifestFile = path.join(dir, 'indexes', 'c.manifest.json');
  try {
    const index = indexOf(server);
    serverReads(index);
    const graph = index.vectorStore;
    const pending = pendingOf(index);
    const unchanged = () => {
      assert.equal(index.vectorStore, graph);
      assert.equal(pendingOf(index), pending);
    };

    index.save(); // the server's own file: not ahead of its graph
    assert.equal(index.adoptSavedGraph(), false);
    unchanged();

    await cli.catchUpIndex('c');
    const good = { index: fs.readFileSync(indexFile), manifest: fs.readFileSync(manifestFile, 'utf8') };
    const corrupt = Buffer.from(good.index);
    corrupt[corrupt.length - 5]! ^= 0xff;
    fs.writeFileSync(indexFile, corrupt);
    fs.writeFileSync(manifestFile, good.manifest.replace('"savedAt"', '"savedAt" ')); // a new manifest: looked at again
    assert.equal(index.adoptSavedGraph(), false, 'checksum mismatch');
    unchanged();

    fs.copyFileSync(path.join(otherDir, 'indexes', 'c.usearch'), indexFile);
    fs.copyFileSync(path.join(otherDir, 'indexes', 'c.manifest.json'), manifestFile);
    assert.equal(index.adoptSavedGraph(), false, 'another collection id');
    unchanged();

    const ahead = JSON.parse(good.manifest) as { cursor: { passageId: number } };
    ahead.cursor.passageId += 1000;
    fs.writeFileSync(indexFile, good.index);
    fs.writeFileSync(manifestFile, JSON.stringify(ahead));
    assert.equal(index.adoptSavedGraph(), false, 'ahead of the database');
    unchanged();

    fs.writeFileSync(manifestFile, good.manifest); // the CLI's file as it saved it
    assert.equal(index.adoptSavedGraph(), true);
    assert.equal(pendingOf(index), 0);
    assertSameHitsAsBruteForce(server, index);
  } finally {
    await cli.close();
    await server.close();
  }
});

test("a server that searched nothing during the import adopts the CLI's graph on its next search, without reading the imported rows", async () => {
  const { server, cli } = await serverAndImport();
  try {
    const index = indexOf(server);
    const before = index.vectorStore;
    const store = sqliteStoreOf(server);
    const { id } = store.requireCollection('c');
    assert.equal(store.deleteDocumentsById(id, ['a1', 'a2']), 2); // deleted before the CLI's save: the file holds it
    await cli.catchUpIndex('c');
    await cli.close();
    let rowsRead = 0;
    const vectorsBetween = store.vectorsBetween.bind(store);
    store.vectorsBetween = function* (...args: Parameters<typeof vectorsBetween>) {
      for (const row of vectorsBetween(...args)) {
        rowsRead++;
        yield row;
      }
    };
    // The search reads data_version and syncs; the sync finds the saved graph before it reads the new rows.
    const top = async (query: string) => (await server.search('c', { query, k: 3, mode: 'dense' })).results.map((r) => r.passage_id);
    assert.equal((await top(documents('b', 1500)[1234]!.text))[0], 'b1234#0');
    assert.notEqual(index.vectorStore, before, 'adopted, not inserted again');
    assert.equal(rowsRead, 0, 'the imported rows were not read as pending passages');
    assert.equal(pendingOf(index), 0);
    assert.equal(index.vectorStore.size, 1598);
    assert.ok(!(await top(documents('a', 2)[1]!.text)).includes('a1#0'));
    assert.equal(index.needsSave, false, 'the graph is the file: nothing to save again');
  } finally {
    await server.close();
  }
});

/** Verifies on a worker thread as the server does, then holds its answer until `release()`; `entered` resolves on the first. */
function heldVerifier(): { verifier: GraphFileVerifier; entered: Promise<void>; release: () => void; calls: () => number } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let enter!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  let calls = 0;
  const verifier: GraphFileVerifier = async (check) => {
    calls++;
    const verdict = await graphFileVerifierOnWorker(check);
    enter();
    await released;
    return verdict;
  };
  return { verifier, entered, release, calls: () => calls };
}

function recordingLogger(): { logger: Logger; lines: Array<{ msg: string | undefined; fields: Record<string, unknown> }> } {
  const lines: Array<{ msg: string | undefined; fields: Record<string, unknown> }> = [];
  const record = (fields: object | string, msg?: string) => lines.push(typeof fields === 'string' ? { msg: fields, fields: {} } : { msg, fields: fields as Record<string, unknown> });
  return { logger: { debug: record, info: record, warn: record, error: record }, lines };
}

/**
 * The server's index as the engine opens it (its graph, the passages SQLite has beyond it pending), with a held
 * verifier and a background job that looks for a saved graph at every slice; the CLI's save is synchronous, so the
 * job's first look after it is its next slice.
 */
async function serverVerifyingTheCliSave(): Promise<{ dir: string; server: Engine; cli: Engine; index: CollectionIndex; held: ReturnType<typeof heldVerifier>; log: ReturnType<typeof recordingLogger> }> {
  const { dir, server, cli } = await serverAndImport();
  const held = heldVerifier();
  const log = recordingLogger();
  const store = sqliteStoreOf(server);
  const index = CollectionIndex.open({
    store, collection: store.requireCollection('c'), indexDir: path.join(dir, 'indexes'), readOnlyFiles: true, logger: log.logger, graph: F32_GRAPH,
    graphFileVerifier: held.verifier, adoptionCheckMs: 0,
  });
  assert.ok(pendingOf(index) > 0, 'the server has passages pending (else this test proves nothing)');
  cliSavesNow(cli);
  await held.entered;
  return { dir, server, cli, index, held, log };
}

function cliSavesNow(cli: Engine): void {
  const cliIndex = indexOf(cli);
  cliIndex.catchUpNow();
  cliIndex.save();
}

const adoptions = (log: ReturnType<typeof recordingLogger>) => log.lines.filter((line) => line.msg === 'adopted the vector index saved by another process');

test('while the background job verifies a saved graph off the main thread, searches are answered from the old graph and the pending passages', async () => {
  const { server, cli, index, held, log } = await serverVerifyingTheCliSave();
  try {
    const before = index.vectorStore;
    const pending = pendingOf(index);
    assertSameHitsAsBruteForce(server, index);
    // Another process writes meanwhile: the next search reads it as pending; its sync does not load the file itself.
    await cli.upsertDocuments('c', [{ id: 'late', text: 'hati iliyoandikwa baadaye zumaridikivuko' }], { deferIndex: true });
    index.markStale();
    assertSameHitsAsBruteForce(server, index);
    assert.equal(pendingOf(index), pending + 1);
    assert.equal(index.vectorStore, before, 'not adopted while the verification is held');
    assert.equal(adoptions(log).length, 0);

    held.release();
    await index.catchUp();
    assert.notEqual(index.vectorStore, before, 'adopted once verified');
    const [adopted] = adoptions(log);
    assert.equal(adopted?.fields.droppedPending, pending, 'the passages pending up to its cursor were not inserted again');
    assert.equal(adopted?.fields.cursor, 1600);
    assert.equal(pendingOf(index), 0);
    assert.equal(index.vectorStore.size, 1601);
    assertSameHitsAsBruteForce(server, index);
    assert.equal(held.calls(), 1);
  } finally {
    index.abandonBackgroundSave();
    await cli.close();
    await server.close();
  }
});

test('a saved graph replaced by a newer save while it is verified is not adopted; the newer one is', async () => {
  const { dir, server, cli, index, held, log } = await serverVerifyingTheCliSave();
  try {
    await cli.upsertDocuments('c', documents('d', 200), { deferIndex: true });
    cliSavesNow(cli);
    const newer = (JSON.parse(fs.readFileSync(path.join(dir, 'indexes', 'c.manifest.json'), 'utf8')) as { cursor: { passageId: number } }).cursor.passageId;
    assert.equal(newer, 1800);

    held.release();
    await index.catchUp();
    const refused = log.lines.filter((line) => line.msg === 'not adopting the vector index saved by another process');
    assert.equal(refused.length, 1);
    assert.match(String(refused[0]!.fields.reason), /replaced while it was read/);
    assert.deepEqual(adoptions(log).map((line) => line.fields.cursor), [newer], 'only the newer file, looked at once the first was refused');
    assert.equal(held.calls(), 2);
    assert.equal(pendingOf(index), 0);
    assert.equal(index.vectorStore.size, 1800);
    assertSameHitsAsBruteForce(server, index);
  } finally {
    index.abandonBackgroundSave();
    await cli.close();
    await server.close();
  }
});

/**
 * The server holds 400 passages in its saved graph; the CLI imports 10 more (less than ADOPTION_MIN_SHARE of the file it
 * saves), so the server inserts them itself and does not adopt the CLI's file; the CLI saves its graph with
 * `calibration`. Returns the server's index once it holds the same 410 passages as the CLI's file.
 */
async function serverInsertingASmallImport(calibration: EfCalibration): Promise<{ dir: string; server: Engine; cli: Engine; index: CollectionIndex }> {
  const dir = tempDir();
  const server = engineOn(dir);
  await server.createCollection('c');
  await server.upsertDocuments('c', documents('a', 400));
  sqliteStorageOf(server).save();
  const cli = engineOn(dir);
  await cli.upsertDocuments('c', documents('b', 10), { deferIndex: true });
  const index = indexOf(server);
  serverReads(index);
  await index.catchUp();
  await cli.catchUpIndex('c');
  // (calibrated by hand: this collection is too small for the CLI to calibrate it)
  indexOf(cli).vectorStore.efCalibration = calibration;
  indexOf(cli).vectorStore.save();
  assert.equal(index.adoptSavedGraph(), false, 'nothing to adopt: the server inserted the import itself');
  assert.equal(index.vectorStore.size, 410);
  assert.ok(index.needsSave, 'the server has a save to make');
  return { dir, server, cli, index };
}

const savedCalibrationIn = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'indexes', 'c.manifest.json'), 'utf8')) as { efCalibration?: unknown }).efCalibration;

test("a server that inserted a small import itself keeps the ef calibration the CLI saved for the same passages: its next save does not drop it", async () => {
  const calibration = { ef: 256, recall: 0.99, passages: 410, queries: 200, target: 0.98, seconds: 0.1 };
  const { dir, server, cli, index } = await serverInsertingASmallImport(calibration);
  try {
    await index.saveInBackground();
    assert.deepEqual(savedCalibrationIn(dir), calibration, "the server's save keeps it");
    assert.deepEqual(index.efCalibration, calibration);
    assert.deepEqual(index.searchBreadth(), { ef: 256, source: 'calibrated' });
    const { search } = await server.getCollection('c');
    assert.equal(search.calibration?.ef, 256);
    assert.equal(search.droppedCalibration, undefined);
  } finally {
    await cli.close();
    await server.close();
  }
});

test('a calibration the CLI saved that no longer holds for the collection is dropped at the server\'s next save, and GET says why', async () => {
  const calibration = { ef: 256, recall: 0.99, passages: 300, queries: 200, target: 0.98, seconds: 0.1 };
  const { dir, server, cli, index } = await serverInsertingASmallImport(calibration);
  try {
    await index.saveInBackground();
    assert.equal(savedCalibrationIn(dir), undefined);
    assert.equal(index.efCalibration, undefined);
    const { search } = await server.getCollection('c');
    assert.equal(search.efSource, 'size-default');
    assert.equal(search.calibration, undefined);
    assert.equal(search.droppedCalibration?.ef, 256);
    assert.match(search.droppedCalibration?.reason ?? '', /measured at 300 passages, holds up to 375: the collection has 410/);
  } finally {
    await cli.close();
    await server.close();
  }
});

test('a server that saved before the CLI did takes the calibration the CLI saved when it next looks, with no save of its own', async () => {
  const dir = tempDir();
  const server = engineOn(dir);
  await server.createCollection('c');
  await server.upsertDocuments('c', documents('a', 400));
  sqliteStorageOf(server).save();
  const cli = engineOn(dir);
  try {
    await cli.upsertDocuments('c', documents('b', 10), { deferIndex: true });
    const index = indexOf(server);
    serverReads(index);
    await index.catchUp();
    await index.saveInBackground(); // the server inserted the import itself and saved first
    assert.equal(index.needsSave, false);
    await cli.catchUpIndex('c'); // the CLI loads that file: nothing left to insert
    const calibration = { ef: 512, recall: 0.985, passages: 410, queries: 200, target: 0.98, seconds: 0.1 };
    indexOf(cli).vectorStore.efCalibration = calibration;
    indexOf(cli).vectorStore.save();
    assert.equal(index.efCalibration, undefined);

    // The served directory's follower (every FOLLOW_INTERVAL_MS in `tafuta serve`) looks; no write moved data_version.
    server.followExternalWritesEvery(5);
    for (const waitUntil = Date.now() + 10_000; index.efCalibration === undefined && Date.now() < waitUntil;) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(index.efCalibration, calibration);
    assert.deepEqual(index.searchBreadth(), { ef: 512, source: 'calibrated' });
    assert.equal(index.needsSave, false, 'the file holds it already');
  } finally {
    await cli.close();
    await server.close();
  }
});
