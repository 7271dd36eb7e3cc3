import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../../../indexer/database.js';
import { blobToVector, vectorToBlob } from '../../../indexer/sqlite/rows.js';

const vector = Float32Array.from([0.25, -1.5, 3e-8, 0.1]);

test("blobToVector views a blob that owns its memory (as better-sqlite3 returns them) and reads SQLite's blobs back exactly", () => {
  const db = openDatabase(':memory:');
  const blob = db.prepare('SELECT ? AS b').pluck().get(vectorToBlob(vector)) as Buffer;
  assert.equal(blob.byteOffset, 0);
  assert.equal(blob.buffer.byteLength, blob.byteLength, 'better-sqlite3 returns a blob in a Buffer of its own (else this read copies)');
  const read = blobToVector(blob);
  assert.deepEqual(read, vector);
  assert.equal(read.buffer, blob.buffer, 'viewed, not copied');
  db.close();
});

test('blobToVector copies a blob that is part of a larger allocation (a pooled Buffer: other bytes around it, any offset)', () => {
  const pool = Buffer.alloc(64, 7);
  for (const offset of [0, 1, 4, 13]) {
    const blob = pool.subarray(offset, offset + 16);
    vectorToBlob(vector).copy(blob);
    const read = blobToVector(blob);
    assert.deepEqual(read, vector, `offset ${offset}`);
    assert.notEqual(read.buffer, pool.buffer, `offset ${offset}: copied`);
    assert.equal(read.byteLength, 16);
  }
});
