/**
 * Snapshots: create (online backup + index files + sha256 manifest) and restore (only into an empty directory,
 * after verifying every checksum) reproduce identical search results; corrupt, tampered or hostile snapshots are
 * refused without writing anything; a snapshot taken during writes holds whole batches only; the CLI verbs work.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import type { Engine } from '../../indexer/engine.js';
import { isTafutaError, type ErrorCode } from '../../core/errors.js';
import { SNAPSHOT_MANIFEST, createSnapshot, restoreSnapshot, verifySnapshot, type SnapshotManifest } from '../../indexer/snapshot.js';
import { SAMPLE_DOCUMENTS, tempDir, testEngine } from '../helpers/engine.js';

const CLI = fileURLToPath(new URL('../../bin/tafuta.js', import.meta.url));
const QUERIES = ['Maji safi ni muhimu kwa afya', 'farmers plant maize', 'ruwa mai tsabta', 'ውሃ', 'hati namba 7 kilimo'];

const extraDocuments = Array.from({ length: 120 }, (_, i) => ({
  id: `x-${i}`,
  lang: i % 2 ? 'sw' : 'en',
  text: `Hati namba ${i} kuhusu ${['kilimo', 'maji', 'elimu', 'afya'][i % 4]} na ${['mvua', 'shule', 'soko'][i % 3]}. `.repeat(1 + (i % 5)),
  metadata: { n: i },
}));

async function populate(engine: Engine): Promise<void> {
  await engine.createCollection('alpha');
  await engine.createCollection('beta', { config: { hnsw: { M: 8 }, passages: { maxChars: 120, overlapChars: 20 } } });
  await engine.upsertDocuments('alpha', SAMPLE_DOCUMENTS);
  await engine.upsertDocuments('alpha', extraDocuments.slice(0, 60));
  await engine.upsertDocuments('beta', extraDocuments);
  await engine.deleteDocument('alpha', 'x-3'); // tombstones travel too
  await engine.upsertDocuments('beta', [{ id: 'x-5', text: 'Imebadilishwa: maji ya mvua.' }]);
}

async function results(engine: Engine): Promise<unknown[]> {
  const out = [];
  for (const collection of ['alpha', 'beta']) {
    for (const mode of ['dense', 'bm25', 'hybrid'] as const) {
      for (const query of QUERIES) {
        const r = await engine.search(collection, { query, k: 20, mode });
        out.push({ collection, mode, query, query_lang: r.query_lang, results: r.results });
      }
    }
    const info = await engine.getCollection(collection);
    out.push({ ...info, createdAt: info.createdAt });
  }
  return out;
}

function assertRefused(error: unknown, code: ErrorCode, pattern: RegExp): boolean {
  assert.ok(isTafutaError(error), String(error));
  assert.equal(error.code, code);
  assert.match(error.message, pattern);
  return true;
}

describe('snapshot', () => {
  test('create then restore into an empty directory reproduces identical search results', async () => {
    const root = tempDir('tafuta-snap-');
    const source = testEngine(path.join(root, 'source'));
    let expected: unknown[];
    let manifest: SnapshotManifest;
    try {
      await populate(source);
      expected = await results(source);
      manifest = await createSnapshot(source, path.join(root, 'snap'));
    } finally {
      source.close();
    }
    assert.equal(manifest.format, 'tafuta-snapshot');
    assert.deepEqual(manifest.files.map((f) => f.path), ['tafuta.db', 'indexes/alpha.usearch', 'indexes/alpha.manifest.json', 'indexes/beta.usearch', 'indexes/beta.manifest.json']);
    for (const f of manifest.files) assert.match(f.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      manifest.collections.map((c) => [c.name, c.documents, c.index]),
      [['alpha', SAMPLE_DOCUMENTS.length + 59, true], ['beta', 120, true]],
    );
    assert.deepEqual(fs.readdirSync(path.join(root, 'snap')).sort(), ['indexes', SNAPSHOT_MANIFEST, 'tafuta.db'].sort(), 'one .db file, no -wal/-shm');

    const target = path.join(root, 'restored');
    await restoreSnapshot(path.join(root, 'snap'), target);
    assert.deepEqual(fs.readdirSync(target).sort(), ['indexes', 'tafuta.db']);
    const restored = testEngine(target);
    try {
      assert.deepEqual(await results(restored), expected);
    } finally {
      restored.close();
    }
  });

  test('restore refuses a non-empty target and leaves it untouched', async () => {
    const root = tempDir('tafuta-snap-');
    const engine = testEngine(path.join(root, 'source'));
    try {
      await populate(engine);
      await createSnapshot(engine, path.join(root, 'snap'));
    } finally {
      engine.close();
    }
    const target = path.join(root, 'busy');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep.txt'), 'mine');
    await assert.rejects(restoreSnapshot(path.join(root, 'snap'), target), (e) => assertRefused(e, 'INVALID_ARGUMENT', /not empty/));
    assert.deepEqual(fs.readdirSync(target), ['keep.txt']);
    // The source data directory is not empty either.
    await assert.rejects(restoreSnapshot(path.join(root, 'snap'), path.join(root, 'source')), (e) => assertRefused(e, 'INVALID_ARGUMENT', /not empty/));
    // Nor may a snapshot be written into a non-empty directory.
    const again = testEngine(path.join(root, 'source'));
    try {
      await assert.rejects(createSnapshot(again, target), (e) => assertRefused(e, 'INVALID_ARGUMENT', /not empty/));
    } finally {
      again.close();
    }
    assert.deepEqual(fs.readdirSync(target), ['keep.txt']);
  });

  test('a corrupt, truncated, missing or tampered file is refused before anything is written', async () => {
    const root = tempDir('tafuta-snap-');
    const engine = testEngine(path.join(root, 'source'));
    try {
      await populate(engine);
      await createSnapshot(engine, path.join(root, 'pristine'));
    } finally {
      engine.close();
    }
    const copy = (name: string) => {
      fs.cpSync(path.join(root, 'pristine'), path.join(root, name), { recursive: true });
      return path.join(root, name);
    };
    const flipByte = (file: string, at: number) => {
      const bytes = fs.readFileSync(file);
      bytes[at] = bytes[at]! ^ 0xff;
      fs.writeFileSync(file, bytes);
    };
    const cases: Array<[string, (dir: string) => void, RegExp]> = [
      ['flipped db byte', (d) => flipByte(path.join(d, 'tafuta.db'), 5000), /tafuta\.db does not match its checksum/],
      ['flipped index byte', (d) => flipByte(path.join(d, 'indexes', 'beta.usearch'), 100), /beta\.usearch does not match its checksum/],
      ['truncated db', (d) => fs.truncateSync(path.join(d, 'tafuta.db'), 4096), /does not match its checksum/],
      ['missing index', (d) => fs.rmSync(path.join(d, 'indexes', 'alpha.manifest.json')), /alpha\.manifest\.json is missing/],
      ['no manifest', (d) => fs.rmSync(path.join(d, SNAPSHOT_MANIFEST)), /not a tafuta snapshot/],
      ['manifest not JSON', (d) => fs.writeFileSync(path.join(d, SNAPSHOT_MANIFEST), '{'), /not valid JSON/],
      [
        'path traversal in the manifest',
        (d) => {
          const m = JSON.parse(fs.readFileSync(path.join(d, SNAPSHOT_MANIFEST), 'utf8')) as SnapshotManifest;
          m.files.push({ ...m.files[0]!, path: '../escaped.db' });
          fs.writeFileSync(path.join(d, SNAPSHOT_MANIFEST), JSON.stringify(m));
        },
        /unexpected file/,
      ],
      [
        'manifest without the database',
        (d) => {
          const m = JSON.parse(fs.readFileSync(path.join(d, SNAPSHOT_MANIFEST), 'utf8')) as SnapshotManifest;
          m.files = m.files.filter((f) => f.path !== 'tafuta.db');
          fs.writeFileSync(path.join(d, SNAPSHOT_MANIFEST), JSON.stringify(m));
        },
        /no tafuta\.db/,
      ],
    ];
    for (const [label, damage, pattern] of cases) {
      const dir = copy(label.replace(/\W+/g, '-'));
      damage(dir);
      const target = path.join(root, `target-${label.replace(/\W+/g, '-')}`);
      await assert.rejects(restoreSnapshot(dir, target), (e) => assertRefused(e, 'INPUT_FILE', pattern), label);
      assert.equal(fs.existsSync(target), false, `${label}: nothing written`);
      assert.equal(fs.existsSync(path.join(root, 'escaped.db')), false);
    }
    await verifySnapshot(path.join(root, 'pristine'));
  });

  test('a snapshot taken while writes are queued holds whole batches only and restores consistently', async () => {
    const root = tempDir('tafuta-snap-');
    const engine = testEngine(path.join(root, 'source'));
    try {
      await engine.createCollection('live');
      const batches = Array.from({ length: 8 }, (_, b) => Array.from({ length: 25 }, (_, i) => ({ id: `b${b}-${i}`, text: `Batch ${b} hati ${i} maji na kilimo.` })));
      const writes = batches.map((batch) => engine.upsertDocuments('live', batch));
      const snap = createSnapshot(engine, path.join(root, 'snap'));
      await Promise.all(writes);
      await snap;
    } finally {
      engine.close();
    }
    const target = path.join(root, 'restored');
    await restoreSnapshot(path.join(root, 'snap'), target);
    const restored = testEngine(target);
    try {
      const c = await restored.getCollection('live');
      assert.equal(c.documents % 25, 0, 'whole batches only');
      assert.equal(c.documents, 200, 'the snapshot waited for the queued writes of its engine');
      assert.equal(c.indexedVectors, c.passages);
    } finally {
      restored.close();
    }
  });

  test('an index from a collection dropped and re-created is left out, and rebuilt after the restore', async () => {
    const root = tempDir('tafuta-snap-');
    const engine = testEngine(path.join(root, 'source'));
    try {
      await engine.createCollection('re');
      await engine.upsertDocuments('re', SAMPLE_DOCUMENTS);
      engine.saveIndexes();
      const stale = fs.readFileSync(path.join(root, 'source', 'indexes', 're.manifest.json'));
      const staleIndex = fs.readFileSync(path.join(root, 'source', 'indexes', 're.usearch'));
      await engine.deleteCollection('re', { force: true });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await engine.createCollection('re');
      await engine.upsertDocuments('re', SAMPLE_DOCUMENTS.slice(0, 2));
      // Simulate another process's stale files on disk at snapshot time.
      const original = engine.saveIndexes.bind(engine);
      engine.saveIndexes = () => {
        original();
        fs.writeFileSync(path.join(root, 'source', 'indexes', 're.manifest.json'), stale);
        fs.writeFileSync(path.join(root, 'source', 'indexes', 're.usearch'), staleIndex);
      };
      const manifest = await createSnapshot(engine, path.join(root, 'snap'));
      engine.saveIndexes = original;
      assert.deepEqual(manifest.collections.map((c) => [c.name, c.documents, c.index]), [['re', 2, false]]);
    } finally {
      engine.close();
    }
    const target = path.join(root, 'restored');
    await restoreSnapshot(path.join(root, 'snap'), target);
    const restored = testEngine(target);
    try {
      const c = await restored.getCollection('re');
      assert.deepEqual([c.documents, c.passages, c.indexedVectors], [2, 2, 2]);
    } finally {
      restored.close();
    }
  });

  test('CLI: tafuta snapshot create / restore (exit 0), restore into a non-empty directory (exit 2)', async () => {
    const root = tempDir('tafuta-snap-');
    const input = path.join(root, 'docs.jsonl');
    fs.writeFileSync(input, SAMPLE_DOCUMENTS.map((d) => JSON.stringify(d)).join('\n'));
    const run = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, TAFUTA_LOG_LEVEL: 'warn', TAFUTA_DEFAULT_ENCODER: 'hashed-ngram-v1' } }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    const data = path.join(root, 'data');
    assert.equal((await run('index', '-c', 'cli', '-i', input, '-d', data)).code, 0);
    const created = await run('snapshot', 'create', '--data-dir', data, '--out', path.join(root, 'snap'));
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /snapshot of .* written to .*: 1 collection\(s\), 3 files/);
    const [restored, refused, missing] = await Promise.all([
      run('snapshot', 'restore', '--from', path.join(root, 'snap'), '--data-dir', path.join(root, 'restored')),
      run('snapshot', 'restore', '--from', path.join(root, 'snap'), '--data-dir', data),
      run('snapshot', 'create', '--data-dir', path.join(root, 'nowhere'), '--out', path.join(root, 'snap2')),
    ]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /cli \(6 documents\)/);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /not empty/);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no tafuta database/);

    const engine = testEngine(path.join(root, 'restored'), [createHashedNgramEncoder()]);
    try {
      const r = await engine.search('cli', { query: 'Wakulima wanapanda mahindi wakati wa mvua', k: 1, mode: 'dense' });
      assert.equal(r.results[0]?.id, 'sw-2');
    } finally {
      engine.close();
    }
  });
});
