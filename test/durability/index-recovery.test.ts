/**
 * `tafuta serve` recovering its vector index, as a child process on real files (issue 24):
 *   - a graph file damaged so that searches would leave it, with a manifest checksum that matches (tampering):
 *     the server starts, rebuilds from SQLite and answers searches instead of crashing on every restart;
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

  // Every level-0 link points past the end of the graph; the manifest is updated to match the damaged file.
  const indexFile = path.join(dataDir, 'indexes', 'c.hnsw');
  const bytes = fs.readFileSync(indexFile);
  const count = Number(bytes.readBigUInt64LE(16));
  const bytesPerElement = Number(bytes.readBigUInt64LE(24));
  for (let i = 0; i < count; i++) {
    const list = 96 + i * bytesPerElement;
    for (let j = 0; j < bytes.readUInt16LE(list); j++) bytes.writeUInt32LE(0xfffffff0 - j, list + 4 + 4 * j);
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
