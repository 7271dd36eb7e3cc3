/**
 * Measuring the ef a graph needs (indexer/ef-calibration.ts): the choice on the ladder with an injected search, the
 * exact top 10 merged across chunks, the queries; and a collection calibrated after its bulk build (the CLI's catch-up),
 * the calibration kept in the graph's manifest, through restarts and later saves, and manifests without one.
 */
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../core/rng.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { CALIBRATION_HOLDS_GROWTH } from '../../indexer/config.js';
import {
  calibrateEf, calibrationDue, CALIBRATION_QUERIES, EF_LADDER, exactTopK, MIN_CALIBRATION_PASSAGES, queriesFrom, recallAt, type StoredVectors,
} from '../../indexer/ef-calibration.js';
import type { StoredVector } from '../../indexer/document-store.js';
import type { GraphChoice } from '../../indexer/graph-store.js';
import { dot, type VectorHit } from '../../indexer/vector-store.js';
import { sqliteStorageOf, sqliteStoreOf, tempDir, testEngine } from '../helpers/engine.js';

function unit(values: number[]): Float32Array {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (x) => x / norm);
}

/** `n` unit vectors around `clusters` random centres (labels 1..n, in order), as SQLite would stream them. */
function clustered(n: number, dim: number, clusters: number, spread: number, seed = 7): StoredVector[] {
  const rng = createRng(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: dim }, () => rng.normal()));
  return Array.from({ length: n }, (_, i) => ({ label: i + 1, vector: unit(centres[i % clusters]!.map((x) => x + spread * rng.normal())) }));
}

function storedVectors(all: StoredVector[], dim: number, langOf: (v: StoredVector) => string | null = () => null): StoredVectors & { pagesRead: number[] } {
  const pagesRead: number[] = [];
  return {
    dim,
    pagesRead,
    languages: () => all.map((v) => [v.label, langOf(v)] as const),
    vectorsOf: (labels) => all.filter((v) => labels.includes(v.label)),
    *all(pageSize) {
      pagesRead.push(pageSize);
      yield* all;
    },
  };
}

function bruteForceTop(all: StoredVector[], query: Float32Array, k: number): VectorHit[] {
  return all
    .map(({ label, vector }) => ({ label, score: dot(query, vector) }))
    .sort((a, b) => b.score - a.score || a.label - b.label)
    .slice(0, k);
}

const labelsOf = (hits: readonly VectorHit[]) => hits.map((hit) => hit.label);

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warnings, warn: (_obj: object | string, msg?: string) => void warnings.push(msg ?? '') };
}

test('exact top 10 merged across chunks of the stored vectors equals brute force; queries are means of two passages of one language', () => {
  const dim = 4;
  const all = clustered(9000, dim, 30, 0.3); // more than one chunk (8192)
  // Two "languages" on either side of the first axis: a mean of one of each would come near it.
  const langOf = (v: StoredVector) => (v.vector[0]! >= 0 ? 'a' : 'b');
  const vectors = storedVectors(all, dim, langOf);
  const queries = queriesFrom(vectors, all.length, 25, createRng(1));
  assert.equal(queries.length, 25);
  const leastSide = Math.min(...all.map((v) => Math.abs(v.vector[0]!)));
  for (const query of queries) {
    assert.ok(Math.abs(dot(query, query) - 1) < 1e-5, 'unit length');
    assert.ok(!all.some((v) => v.vector.every((x, i) => x === query[i])), 'not a stored vector');
  }
  const mixed = queriesFrom(storedVectors(all, dim), all.length, 200, createRng(1));
  const offAxis = (qs: Float32Array[]) => qs.filter((q) => Math.abs(q[0]!) < 0.05).length;
  assert.ok(offAxis(mixed) > 0, 'one language for all: some means fall between the two sides (else this test proves nothing)');
  assert.equal(offAxis(queriesFrom(vectors, all.length, 200, createRng(1))), 0, `by language: none does (the least |x0| stored is ${leastSide})`);
  assert.deepEqual(queriesFrom(vectors, all.length, 25, createRng(1)), queries, 'the same seed draws the same queries');
  const truth = exactTopK(vectors, queries, 10);
  queries.forEach((query, q) => {
    const expected = bruteForceTop(all, query, 10);
    // usearch's SIMD sums round differently from dot(): a near-tie may swap; the scores agree to rounding.
    assert.deepEqual(new Set(labelsOf(truth[q]!)), new Set(labelsOf(expected)), `query ${q}`);
    truth[q]!.forEach((hit, i) => assert.ok(Math.abs(hit.score - expected[i]!.score) < 1e-5, `query ${q}, rank ${i}`));
  });
});

test('the calibration picks the smallest ef of the ladder whose recall@10 reaches the target, and stops there', () => {
  const dim = 8;
  const all = clustered(3000, dim, 20, 0.5);
  const vectors = storedVectors(all, dim);
  // A search that finds ef / 64 − 1 hits wrong below ef 512: recall 0.9 at 64, 1.0 from 512 on (ef 256: 7 of 10 → 0.97).
  const searched: number[] = [];
  const search = (query: Float32Array, k: number, ef: number) => {
    searched.push(ef);
    const wrong = ef >= 512 ? 0 : ef === 256 ? 3 : 1;
    return bruteForceTop(all, query, k).map((hit, i) => (i < wrong ? { label: -1 - i, score: -1 } : hit));
  };
  const calibration = calibrateEf({ search, vectors, passages: all.length, rng: createRng(3), logger: silentLogger, queries: 40 });
  assert.deepEqual(
    { ef: calibration.ef, recall: calibration.recall, passages: calibration.passages, queries: calibration.queries, target: calibration.target },
    { ef: 512, recall: 1, passages: 3000, queries: 40, target: 0.98 },
  );
  assert.deepEqual([...new Set(searched)], [64, 128, 256, 512], 'no ef above the first that reaches the target');
  assert.deepEqual(vectors.pagesRead.length, 1, 'the stored vectors are read once, in chunks');

  const warned = recordingLogger();
  const never = calibrateEf({ search: (q, k) => bruteForceTop(all, q, k).slice(1), vectors, passages: all.length, rng: createRng(3), logger: warned, queries: 10 });
  assert.equal(never.ef, EF_LADDER.at(-1), 'none reaches it: the largest');
  assert.equal(never.recall, 0.9);
  assert.equal(warned.warnings.length, 1);

  const queries = queriesFrom(vectors, all.length, 10, createRng(5));
  const truth = exactTopK(vectors, queries, 10);
  assert.equal(recallAt(search, queries, truth, 64), 0.9);
  // A passage equal to the 10th (a duplicate: another label, the same score) is as good a 10th; one scoring less is not.
  const swapTenth = (delta: number) => (query: Float32Array, k: number) =>
    bruteForceTop(all, query, k).map((hit, i) => (i === 9 ? { label: -1, score: hit.score + delta } : hit));
  assert.equal(recallAt(swapTenth(0), queries, truth, 64), 1);
  assert.equal(recallAt(swapTenth(-1e-3), queries, truth, 64), 0.9);
});

test('a bulk build is calibrated when the collection sets no ef, is large enough, and holds no calibration for its size', () => {
  const calibration = { ef: 128, recall: 0.99, passages: 100_000, queries: CALIBRATION_QUERIES, target: 0.98, seconds: 1 };
  assert.equal(calibrationDue({}, MIN_CALIBRATION_PASSAGES, undefined), true);
  assert.equal(calibrationDue({}, MIN_CALIBRATION_PASSAGES - 1, undefined), false, 'small: the size default is cheap');
  assert.equal(calibrationDue({ ef: 64 }, 1_000_000, undefined), false, 'the collection sets its own ef');
  assert.equal(calibrationDue({}, 100_000 * CALIBRATION_HOLDS_GROWTH, calibration), false, 'its calibration still holds');
  assert.equal(calibrationDue({}, 100_000 * CALIBRATION_HOLDS_GROWTH + 1, calibration), true, 'grown beyond it');
});

/** One thread: the same graph every run (two threads link near neighbours in a varying order). */
const F16_ONE_THREAD: GraphChoice = { library: 'usearch', scalar: 'f16', threads: 1 };
const DIM = 32;

test('tafuta index calibrates a large collection after its bulk build; the calibration is saved with the graph and survives restarts and later saves', async () => {
  const dir = tempDir();
  const cli = testEngine(dir, undefined, F16_ONE_THREAD);
  // A graph too sparse for ef 64 (M 8, construction expansion 16) over clustered vectors: the calibration must go higher.
  await cli.createCollection('c', { encoder: 'none', dim: DIM, config: { hnsw: { M: 8, efConstruction: 16 } } });
  const all = clustered(MIN_CALIBRATION_PASSAGES, DIM, 200, 1.0);
  const documents = all.map(({ label, vector }) => ({ id: `d${label}`, text: `d${label}`, vector: Array.from(vector) }));
  for (let i = 0; i < documents.length; i += 2000) await cli.upsertDocuments('c', documents.slice(i, i + 2000), { deferIndex: true });
  assert.equal((await cli.getCollection('c')).search.efSource, 'size-default', 'before the bulk build');
  await cli.catchUpIndex('c');

  const info = await cli.getCollection('c');
  const calibration = info.search.calibration!;
  assert.equal(info.search.efSource, 'calibrated');
  assert.equal(info.search.ef, calibration.ef);
  assert.ok(calibration.ef >= 4 * EF_LADDER[0]!, `this graph needs more than ef ${2 * EF_LADDER[0]!} (got ${calibration.ef}, recall ${calibration.recall})`);
  assert.ok(calibration.recall >= calibration.target);
  assert.deepEqual(
    { passages: calibration.passages, queries: calibration.queries, holds: calibration.holds, holdsUpTo: calibration.holdsUpTo },
    { passages: all.length, queries: CALIBRATION_QUERIES, holds: true, holdsUpTo: Math.floor(all.length * CALIBRATION_HOLDS_GROWTH) },
  );
  // Two rungs below misses the target on other queries too (searched as the collection is: candidates rescored).
  const index = sqliteStorageOf(cli).indexOf(sqliteStoreOf(cli).requireCollection('c'));
  const vectors = storedVectors(all, DIM);
  const queries = queriesFrom(vectors, all.length, 100, createRng(99));
  const truth = exactTopK(vectors, queries, 10);
  const search = (query: Float32Array, k: number, ef: number) => index.search(query, k, undefined, ef);
  assert.ok(recallAt(search, queries, truth, calibration.ef / 4) < calibration.target, 'a quarter of the calibrated ef is not enough');
  assert.ok(recallAt(search, queries, truth, calibration.ef) > recallAt(search, queries, truth, calibration.ef / 4));
  await cli.close();

  const manifestFile = path.join(dir, 'indexes', 'c.manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { efCalibration?: unknown };
  assert.deepEqual(manifest.efCalibration, { ef: calibration.ef, recall: calibration.recall, passages: calibration.passages, queries: calibration.queries, target: calibration.target, seconds: calibration.seconds });

  // A server loads it with the graph, and its own later saves keep it.
  const server = testEngine(dir, undefined, F16_ONE_THREAD);
  assert.equal((await server.getCollection('c')).search.efSource, 'calibrated');
  await server.upsertDocuments('c', [{ id: 'late', text: 'late', vector: Array.from(all[0]!.vector) }]);
  sqliteStorageOf(server).save();
  assert.deepEqual((JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { efCalibration?: unknown }).efCalibration, manifest.efCalibration);
  assert.equal((JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { cursor: { passageId: number } }).cursor.passageId, all.length + 1, 'a new save');
  await server.close();

  // A manifest written before calibrations (none recorded) still loads: the size default applies.
  const old = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  delete old.efCalibration;
  fs.writeFileSync(manifestFile, `${JSON.stringify(old, null, 2)}\n`);
  const reopened = testEngine(dir, undefined, F16_ONE_THREAD);
  const reopenedInfo = await reopened.getCollection('c');
  assert.equal(reopenedInfo.search.efSource, 'size-default');
  assert.equal(reopenedInfo.search.calibration, undefined);
  assert.equal(reopenedInfo.indexedVectors, all.length + 1);
  assert.equal(sqliteStorageOf(reopened).indexOf(sqliteStoreOf(reopened).requireCollection('c')).vectorStore.size, all.length + 1, 'the graph was loaded, not rebuilt');
  await reopened.close();
});

test('a collection that sets its own ef is not calibrated, and its ef wins', async () => {
  const engine = testEngine(undefined, undefined, F16_ONE_THREAD);
  await engine.createCollection('c', { encoder: 'none', dim: 8, config: { hnsw: { ef: 40 } } });
  const all = clustered(MIN_CALIBRATION_PASSAGES, 8, 50, 0.5);
  await engine.upsertDocuments('c', all.map(({ label, vector }) => ({ id: `d${label}`, text: `d${label}`, vector: Array.from(vector) })), { deferIndex: true });
  await engine.catchUpIndex('c');
  const { search } = await engine.getCollection('c');
  assert.deepEqual(search, { ef: 40, efSource: 'collection' });
  await engine.close();
});
