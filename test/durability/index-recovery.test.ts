/**
 * `tafuta serve` recovering its vector index, as a child process on real files (issue 24):
 *   - a graph file damaged so that searches would leave it, with a manifest checksum that matches (tampering):
 *     the server starts, rebuilds from SQLite and answers searches instead of crashing on every restart;
 *   - a data directory whose index hnswlib-node wrote (before usearch was the default) is read as it is, and one
 *     whose hnswlib file is damaged is rebuilt with usearch, which replaces the old file;
 *   - after a SIGKILL the restarted server answers with every acknowledged write at once, and saves the caught-up
 *     index by itself, so that a second crash does not repeat the catch-up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';
import { tempDir } from '../helpers/engine.js';
import { HnswVectorStore } from '../../indexer/hnsw-store.js';
import { DEFAULT_COLLECTION_CONFIG } from '../../indexer/config.js';
import { SYNC_HEAD_SQL } from '../../indexer/document-store.js';

const documents = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, lang: 'sw', text: `Hati ${prefix} namba ${i}: maji safi kijiji${prefix}${i} na kilimo.` }));

async function post(url: string, route: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${route}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

async function topId(server: CliServer, query: string): Promise<string | undefined> {
  const { status, json } = await post(server.url, '/v1/collections/c/search', { query, k: 3, mode: 'dense' });
  assert.equal(status, 200, JSON.stringify(json));
  return (json.results as Array<{ id: string }>)[0]?.id;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function manifestOf(dataDir: string): { sha256: string; cursor: { passageId: number }; elements: number; deleted: number } | undefined {
  const file = path.join(dataDir, 'indexes', 'c.manifest.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}

function passageHead(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'tafuta.db'), { readonly: true });
  try {
    return (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'passages'").get() as { seq: number }).seq;
  } finally {
    db.close();
  }
}

async function stop(server: CliServer, signal: NodeJS.Signals): Promise<void> {
  server.child.kill(signal);
  await server.exited;
}

test('a damaged graph whose manifest checksum matches is rebuilt from SQLite, not loaded into a crash', { timeout: 60_000 }, async () => {
  const dataDir = tempDir('tafuta-damaged-');
  const first = await startCliServer(dataDir);
  try {
    assert.equal((await post(first.url, '/v1/collections', { name: 'c' })).status, 201);
    assert.equal((await post(first.url, '/v1/collections/c/documents', { documents: documents('d', 40) })).status, 200);
  } finally {
    await stop(first, 'SIGTERM'); // saves the index
  }

  // Every level-0 link points past the end of the graph (usearch-file.ts has the layout); the manifest is updated to match.
  const indexFile = path.join(dataDir, 'indexes', 'c.usearch');
  const bytes = fs.readFileSync(indexFile);
  const graphAt = 8 + bytes.readUInt32LE(0) * bytes.readUInt32LE(4) + 64;
  const count = Number(bytes.readBigUInt64LE(graphAt));
  const [connectivity, connectivityBase] = [8, 16].map((o) => Number(bytes.readBigUInt64LE(graphAt + o))) as [number, number];
  let node = graphAt + 40 + 2 * count;
  for (let i = 0; i < count; i++) {
    const level = bytes.readInt16LE(node + 8);
    const list = node + 10;
    for (let j = 0; j < bytes.readUInt32LE(list); j++) bytes.writeUInt32LE(0xfffffff0 - j, list + 4 + 4 * j);
    node += 10 + 4 + 4 * connectivityBase + level * (4 + 4 * connectivity);
  }
  fs.writeFileSync(indexFile, bytes);
  const manifest = manifestOf(dataDir)!;
  manifest.sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.writeFileSync(path.join(dataDir, 'indexes', 'c.manifest.json'), JSON.stringify(manifest));

  const second = await startCliServer(dataDir);
  try {
    for (const i of [0, 17, 39]) assert.equal(await topId(second, `Hati d namba ${i}: maji safi kijijid${i} na kilimo.`), `d${i}`);
    assert.match(second.stderr(), /unsound/);
    assert.match(second.stderr(), /rebuilding vector index from SQLite/);
    await stop(second, 'SIGTERM');
    assert.deepEqual(await second.exited, { code: 0, signal: null });
  } finally {
    if (second.child.exitCode === null) second.child.kill('SIGKILL');
  }
  assert.equal(manifestOf(dataDir)!.elements, 40, 'the rebuilt index was saved');
});

/** Replaces the usearch index of collection "c" with an hnswlib one built from SQLite: a data directory of before usearch. */
function rewriteAsHnswlib(dataDir: string): void {
  const db = new Database(path.join(dataDir, 'tafuta.db'), { readonly: true });
  try {
    const { id, dim } = db.prepare("SELECT id, dim FROM collections WHERE name = 'c'").get() as { id: number; dim: number };
    const base = path.join(dataDir, 'indexes', 'c');
    const store = HnswVectorStore.create({ base, dim, params: DEFAULT_COLLECTION_CONFIG.hnsw, collectionId: id });
    for (const row of db.prepare('SELECT id, embedding FROM passages WHERE collection_id = ? ORDER BY id').all(id) as Array<{ id: number; embedding: Buffer }>) {
      store.add(row.id, new Float32Array(new Uint8Array(row.embedding).buffer));
    }
    store.cursor = db.prepare(SYNC_HEAD_SQL).get({ id }) as { passageId: number; tombstoneSeq: number };
    store.save();
    fs.rmSync(`${base}.usearch`);
  } finally {
    db.close();
  }
}

test('a data directory with an hnswlib index keeps working: read as it is; once damaged, rebuilt with usearch', { timeout: 90_000 }, async () => {
  const dataDir = tempDir('tafuta-hnswlib-dir-');
  const first = await startCliServer(dataDir);
  try {
    assert.equal((await post(first.url, '/v1/collections', { name: 'c' })).status, 201);
    assert.equal((await post(first.url, '/v1/collections/c/documents', { documents: documents('d', 40) })).status, 200);
  } finally {
    await stop(first, 'SIGTERM');
  }
  rewriteAsHnswlib(dataDir);

  const second = await startCliServer(dataDir);
  try {
    for (const i of [0, 17, 39]) assert.equal(await topId(second, `Hati d namba ${i}: maji safi kijijid${i} na kilimo.`), `d${i}`);
    assert.equal((await post(second.url, '/v1/collections/c/documents', { documents: documents('e', 5) })).status, 200);
    assert.equal(await topId(second, 'Hati e namba 3: maji safi kijijie3 na kilimo.'), 'e3');
    await stop(second, 'SIGTERM');
  } finally {
    if (second.child.exitCode === null) second.child.kill('SIGKILL');
  }
  assert.doesNotMatch(second.stderr(), /rebuilding/, 'the hnswlib file was loaded, not rebuilt');
  assert.deepEqual(fs.readdirSync(path.join(dataDir, 'indexes')).sort(), ['c.hnsw', 'c.manifest.json']);
  assert.equal(manifestOf(dataDir)!.elements, 45);

  const hnswFile = path.join(dataDir, 'indexes', 'c.hnsw');
  const bytes = fs.readFileSync(hnswFile);
  bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
  fs.writeFileSync(hnswFile, bytes);
  const third = await startCliServer(dataDir);
  try {
    for (const i of [0, 39]) assert.equal(await topId(third, `Hati d namba ${i}: maji safi kijijid${i} na kilimo.`), `d${i}`);
    assert.match(third.stderr(), /rebuilding vector index from SQLite/);
    await stop(third, 'SIGTERM');
  } finally {
    if (third.child.exitCode === null) third.child.kill('SIGKILL');
  }
  assert.deepEqual(fs.readdirSync(path.join(dataDir, 'indexes')).sort(), ['c.manifest.json', 'c.usearch'], 'the rebuilt index is usearch; the old file is gone');
});

test('after a SIGKILL the restarted server finds every acknowledged write at once and saves the caught-up index unasked', { timeout: 90_000 }, async () => {
  const dataDir = tempDir('tafuta-catch-up-');
  const first = await startCliServer(dataDir);
  const late = documents('late', 1000);
  try {
    assert.equal((await post(first.url, '/v1/collections', { name: 'c' })).status, 201);
    assert.equal((await post(first.url, '/v1/collections/c/documents', { documents: documents('early', 20) })).status, 200);
    for (let waited = 0; manifestOf(dataDir) === undefined; waited += 100) {
      assert.ok(waited < 20_000, 'the first save happens');
      await sleep(100);
    }
    assert.equal((await post(first.url, '/v1/collections/c/documents', { documents: late })).status, 200);
  } finally {
    await stop(first, 'SIGKILL'); // before the save of the last batch
  }
  const head = passageHead(dataDir);
  assert.ok(manifestOf(dataDir)!.cursor.passageId < head, 'the saved index is behind SQLite (else this test proves nothing)');

  const second = await startCliServer(dataDir);
  try {
    const last = late.at(-1)!;
    assert.equal(await topId(second, last.text), last.id, 'the first search sees the last acknowledged write');
    // No request from here on: the server saves the index once it has caught up.
    for (let waited = 0; manifestOf(dataDir)!.cursor.passageId < head; waited += 200) {
      assert.ok(waited < 30_000, 'the caught-up index is saved without a shutdown or another write');
      await sleep(200);
    }
    const saved = manifestOf(dataDir)!;
    assert.equal(saved.elements - saved.deleted, 1020);
  } finally {
    await stop(second, 'SIGKILL');
  }
});
