/**
 * The verification of a saved graph before it is loaded (graph-file-check.ts): one streaming pass that checksums and
 * checks the file's structure holding one chunk of it (graph-file-bytes.ts), never the whole file.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CHUNK_BYTES } from '../../core/hash.js';
import { createRng } from '../../core/rng.js';
import { verifyGraphFileNow, type GraphFileCheck } from '../../indexer/graph-file-check.js';
import { HashedFileBytes } from '../../indexer/graph-file-bytes.js';
import { createGraphStore, type GraphChoice } from '../../indexer/graph-store.js';
import { tempDir } from '../helpers/engine.js';

const PARAMS = { M: 8, efConstruction: 32 };

/** A saved graph of `n` random unit vectors, and what verifying it expects. */
function savedGraph(choice: GraphChoice, n: number, dim: number): { file: string; check: GraphFileCheck } {
  const base = path.join(tempDir(), 'c');
  const rng = createRng(7);
  const vectors = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const v = vectors.subarray(i * dim, (i + 1) * dim);
    for (let j = 0; j < dim; j++) v[j] = rng.next() - 0.5;
    const norm = Math.hypot(...v);
    for (let j = 0; j < dim; j++) v[j]! /= norm;
  }
  const store = createGraphStore(choice, { base, dim, params: PARAMS });
  store.addMany(Array.from({ length: n }, (_, i) => i + 1), vectors);
  store.save();
  const manifest = JSON.parse(fs.readFileSync(`${base}.manifest.json`, 'utf8')) as { sha256: string };
  const file = choice.library === 'usearch' ? `${base}.usearch` : `${base}.hnsw`;
  const check: GraphFileCheck = choice.library === 'usearch'
    ? { library: 'usearch', file, sha256: manifest.sha256, dim, M: PARAMS.M, scalar: 'f32' }
    : { library: 'hnswlib', file, sha256: manifest.sha256, dim, M: PARAMS.M };
  return { file, check };
}

/** Runs `verify` with fs.readFileSync refused and fs.readSync's reads measured: the largest read it made. */
function largestReadDuring(verify: () => void): number {
  const { readFileSync, readSync } = fs;
  let largest = 0;
  fs.readFileSync = (() => {
    throw new Error('the whole file was read');
  }) as typeof fs.readFileSync;
  fs.readSync = ((fd: number, buffer: NodeJS.ArrayBufferView, offset: number, length: number, position: number | null) => {
    largest = Math.max(largest, length);
    return readSync(fd, buffer, offset, length, position);
  }) as typeof fs.readSync;
  try {
    verify();
  } finally {
    fs.readFileSync = readFileSync;
    fs.readSync = readSync;
  }
  return largest;
}

for (const choice of [{ library: 'usearch', scalar: 'f32', threads: 1 }, { library: 'hnswlib' }] as GraphChoice[]) {
  test(`${choice.library}: a graph file of several chunks is verified reading one chunk at a time, never the whole file`, () => {
    const { file, check } = savedGraph(choice, 6000, 96);
    assert.ok(fs.statSync(file).size > 2 * CHUNK_BYTES, 'the file spans several chunks (else this test proves nothing)');
    let verdict: ReturnType<typeof verifyGraphFileNow> | undefined;
    const largest = largestReadDuring(() => (verdict = verifyGraphFileNow(check)));
    assert.equal(verdict?.problem, undefined, JSON.stringify(verdict));
    assert.deepEqual({ elements: verdict && 'elements' in verdict ? verdict.elements : undefined }, { elements: 6000 });
    assert.ok(largest > 0 && largest <= CHUNK_BYTES, `largest read ${largest} bytes`);
  });
}

test('a checksum mismatch is reported before a structural problem the streaming check met first', () => {
  const { file, check } = savedGraph({ library: 'usearch', scalar: 'f32', threads: 1 }, 6000, 96);
  const bytes = fs.readFileSync(file);
  bytes.writeUInt32LE(1, 4); // the vector size, in the first bytes the check reads
  fs.writeFileSync(file, bytes);
  assert.match(verifyGraphFileNow(check).problem ?? '', /checksum mismatch/);
  const matching = { ...check, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
  assert.match(verifyGraphFileNow(matching).problem ?? '', /unsound: vector size/);
});

test('HashedFileBytes reads values across chunk boundaries, copies regions out, hashes the whole file, and refuses to read behind', () => {
  const file = path.join(tempDir(), 'bytes');
  const bytes = crypto.randomBytes(3 * CHUNK_BYTES + 123);
  fs.writeFileSync(file, bytes);
  const fd = fs.openSync(file, 'r');
  try {
    const window = new HashedFileBytes(fd, bytes.length);
    for (const offset of [0, 5, CHUNK_BYTES - 3, CHUNK_BYTES + 1, 2 * CHUNK_BYTES - 1, 3 * CHUNK_BYTES + 100]) {
      assert.equal(window.readBigUInt64LE(offset), bytes.readBigUInt64LE(offset), `at ${offset}`);
      assert.equal(window.readUInt8(offset + 7), bytes.readUInt8(offset + 7));
    }
    assert.throws(() => window.readUInt32LE(CHUNK_BYTES), /behind/);
    assert.throws(() => window.readUInt32LE(bytes.length - 2), /past the end/);
    assert.equal(window.sha256(), crypto.createHash('sha256').update(bytes).digest('hex'));

    const copier = new HashedFileBytes(fd, bytes.length);
    assert.equal(copier.readUInt16LE(10), bytes.readUInt16LE(10));
    assert.deepEqual(copier.subarray(20, 2 * CHUNK_BYTES + 7), bytes.subarray(20, 2 * CHUNK_BYTES + 7));
    assert.equal(copier.toString('latin1', 2 * CHUNK_BYTES + 7, 2 * CHUNK_BYTES + 14), bytes.toString('latin1', 2 * CHUNK_BYTES + 7, 2 * CHUNK_BYTES + 14));
    assert.equal(copier.sha256(), crypto.createHash('sha256').update(bytes).digest('hex'));
  } finally {
    fs.closeSync(fd);
  }
});
