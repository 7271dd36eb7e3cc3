/** The structural check of hnswlib files: a sound file passes; each damage that would send a search outside the graph is named. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { checkHnswFile } from '../../indexer/hnsw-file.js';
import { HnswVectorStore } from '../../indexer/hnsw-store.js';
import { tempDir } from '../helpers/engine.js';

const DIM = 16;
const PARAMS = { M: 8, efConstruction: 50, ef: 32 };
const HEADER = 96;
const BYTES_PER_ELEMENT = 2 * PARAMS.M * 4 + 4 + DIM * 4 + 8;

function savedIndex(): { base: string; bytes: Buffer } {
  const base = path.join(tempDir(), 'c');
  const store = HnswVectorStore.create({ base, dim: DIM, params: PARAMS });
  for (let label = 1; label <= 300; label++) {
    store.add(label, Float32Array.from({ length: DIM }, (_, i) => Math.sin(label * (i + 1))));
  }
  store.remove(7);
  store.save();
  return { base, bytes: fs.readFileSync(`${base}.hnsw`) };
}

/** Writes `bytes` as the index file with a manifest whose checksum matches it (as tampering would). */
function writeWithMatchingManifest(base: string, bytes: Buffer): void {
  fs.writeFileSync(`${base}.hnsw`, bytes);
  const manifest = JSON.parse(fs.readFileSync(`${base}.manifest.json`, 'utf8')) as { sha256: string };
  manifest.sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.writeFileSync(`${base}.manifest.json`, JSON.stringify(manifest));
}

test('a sound file passes with its element and deleted counts', () => {
  const { bytes } = savedIndex();
  assert.deepEqual(checkHnswFile(bytes, { dim: DIM, M: PARAMS.M }), { elements: 300, deleted: 1 });
});

test('every damage a search could follow out of the graph is refused, and load() rebuilds instead of crashing', () => {
  const { base, bytes } = savedIndex();
  const element = (i: number) => HEADER + i * BYTES_PER_ELEMENT;
  const damages: Array<[string, (b: Buffer) => void, RegExp]> = [
    ['neighbour id past the end', (b) => b.writeUInt32LE(0xfffffff0, element(5) + 4), /outside the graph/],
    ['more links than the list holds', (b) => b.writeUInt16LE(2 * PARAMS.M + 1, element(9)), /room for/],
    ['entry point past the end', (b) => b.writeUInt32LE(5000, 52), /entry point/],
    ['top level raised', (b) => b.writeInt32LE(b.readInt32LE(48) + 3, 48), /entry point is not on the top level/],
    ['two slots with one label', (b) => b.writeBigUInt64LE(b.readBigUInt64LE(element(3) + BYTES_PER_ELEMENT - 8), element(4) + BYTES_PER_ELEMENT - 8), /appears twice/],
    ['other M in the header', (b) => b.writeBigUInt64LE(BigInt(PARAMS.M + 1), 72), /build parameters/],
  ];
  for (const [what, damage, expected] of damages) {
    const damaged = Buffer.from(bytes);
    damage(damaged);
    const checked = checkHnswFile(damaged, { dim: DIM, M: PARAMS.M });
    assert.ok('problem' in checked && expected.test(checked.problem), `${what}: ${JSON.stringify(checked)}`);
    writeWithMatchingManifest(base, damaged);
    const loaded = HnswVectorStore.load({ base, dim: DIM, params: PARAMS });
    assert.equal(loaded.store, undefined, what);
    assert.match(loaded.reason!, /unsound/);
  }
  for (const cut of [HEADER - 1, HEADER + 10, bytes.length - 3]) {
    assert.ok('problem' in checkHnswFile(bytes.subarray(0, cut), { dim: DIM, M: PARAMS.M }), `truncated at ${cut}`);
  }
  assert.ok('problem' in checkHnswFile(Buffer.concat([bytes, Buffer.alloc(4)]), { dim: DIM, M: PARAMS.M }), 'trailing bytes');
});
