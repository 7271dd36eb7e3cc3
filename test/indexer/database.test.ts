import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import {
  followTextNormalization, isCorruptionError, migrate, openDatabase, quickCheck, readMigrations, schemaVersion, storedTextNormalizationVersion, withoutMemoryMap,
} from '../../indexer/database.js';
import { TEXT_NORMALIZATION_VERSION } from '../../text/normalize.js';
import { tempDir } from '../helpers/engine.js';

const latest = readMigrations().at(-1)!.version;

test('migrations from empty create every table and record each version', () => {
  const db = openDatabase(':memory:');
  assert.equal(schemaVersion(db), latest);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").pluck().all() as string[];
  for (const t of ['collections', 'documents', 'passages', 'languages', 'passages_fts', 'passage_tombstones', 'schema_migrations']) {
    assert.ok(tables.includes(t), `missing table ${t}`);
  }
  assert.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(), readMigrations().map((m) => m.version));
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.deepEqual(migrate(db), [], 'a second run applies nothing');
  db.close();
});

test('a version-1 database with data upgrades in place: search text is backfilled and BM25 finds old passages', () => {
  const file = path.join(tempDir(), 'old.db');
  const v1 = openDatabase(file, { migrateUpTo: 1 });
  assert.equal(schemaVersion(v1), 1);
  v1.prepare("INSERT INTO collections (id, name, encoder, dim) VALUES (1, 'old', 'hashed-ngram-v1', 4)").run();
  v1.prepare("INSERT INTO languages (code) VALUES ('sw')").run();
  v1.prepare("INSERT INTO documents (id, collection_id, external_id, text, lang, content_hash) VALUES (1, 1, 'd1', 'Maji Safi ni muhimu', 'sw', 'h')").run();
  v1.prepare('INSERT INTO passages (collection_id, document_id, ordinal, text, start_offset, end_offset, embedding) VALUES (1, 1, 0, ?, 0, 19, ?)')
    .run('Maji Safi ni muhimu', Buffer.alloc(16));
  v1.close();

  const db = openDatabase(file);
  assert.equal(schemaVersion(db), latest);
  assert.equal(db.prepare('SELECT search_text FROM passages').pluck().get(), 'maji safi ni muhimu');
  const hits = db.prepare(`SELECT rowid FROM passages_fts WHERE passages_fts MATCH '"safi"'`).pluck().all();
  assert.deepEqual(hits, [1]);
  assert.equal(db.prepare('SELECT COUNT(*) FROM documents').pluck().get(), 1, 'no data lost');
  assert.equal(db.prepare('SELECT encoder_version FROM collections').pluck().get(), null, 'old collections have no recorded encoder version');
  db.close();
});

test('the stored search text follows the text normalisation version: recomputed only when another version wrote it', () => {
  const file = path.join(tempDir(), 'text-version.db');
  const created = openDatabase(file);
  assert.equal(storedTextNormalizationVersion(created), TEXT_NORMALIZATION_VERSION, 'a new database records the version');
  created.prepare("INSERT INTO collections (id, name, encoder, dim) VALUES (1, 'c', 'e', 4)").run();
  created.prepare("INSERT INTO documents (id, collection_id, external_id, text, title, content_hash) VALUES (1, 1, 'd', 'Maji Safi', 'Kitabu cha Maji', 'h')").run();
  created.prepare("INSERT INTO passages (collection_id, document_id, ordinal, text, search_text, title_search_text, start_offset, end_offset, embedding) VALUES (1, 1, 0, 'Maji Safi', 'stale', 'stale title', 0, 9, x'00')").run();
  created.close();

  const sameVersion = openDatabase(file);
  assert.equal(sameVersion.prepare('SELECT search_text FROM passages').pluck().get(), 'stale', 'the same version leaves the stored text alone');
  sameVersion.prepare("UPDATE store_settings SET value = '0' WHERE name = 'text_normalization_version'").run();
  sameVersion.close();

  const db = openDatabase(file);
  assert.equal(storedTextNormalizationVersion(db), TEXT_NORMALIZATION_VERSION);
  assert.deepEqual(db.prepare('SELECT search_text, title_search_text FROM passages').get(), { search_text: 'maji safi', title_search_text: 'kitabu cha maji' });
  assert.deepEqual(db.prepare(`SELECT rowid FROM passages_fts WHERE passages_fts MATCH '"safi"'`).pluck().all(), [1], 'the full-text index is rebuilt');
  assert.deepEqual(db.prepare(`SELECT rowid FROM passages_fts WHERE passages_fts MATCH '"stale"'`).pluck().all(), []);
  assert.equal(followTextNormalization(db), false);
  assert.equal(followTextNormalization(db, TEXT_NORMALIZATION_VERSION + 1), true, 'a bumped version is detected');
  assert.equal(storedTextNormalizationVersion(db), TEXT_NORMALIZATION_VERSION + 1);
  db.close();
});

test('a database from a newer tafuta is refused, not modified', () => {
  const file = path.join(tempDir(), 'future.db');
  openDatabase(file).close();
  const raw = new Database(file);
  raw.prepare("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')").run();
  raw.close();
  assert.throws(() => openDatabase(file), /newer than this tafuta/);
});

test('deleting passages logs tombstones and keeps FTS in step', () => {
  const db = openDatabase(':memory:');
  db.prepare("INSERT INTO collections (id, name, encoder, dim) VALUES (1, 'c', 'e', 4)").run();
  db.prepare("INSERT INTO documents (id, collection_id, external_id, text, content_hash) VALUES (1, 1, 'd', 'x', 'h')").run();
  db.prepare("INSERT INTO passages (collection_id, document_id, ordinal, text, search_text, start_offset, end_offset, embedding) VALUES (1, 1, 0, 'kitabu', 'kitabu', 0, 6, x'00')").run();
  assert.equal(db.prepare(`SELECT COUNT(*) FROM passages_fts WHERE passages_fts MATCH 'kitabu'`).pluck().get(), 1);
  db.prepare('DELETE FROM documents WHERE id = 1').run();
  assert.equal(db.prepare(`SELECT COUNT(*) FROM passages_fts WHERE passages_fts MATCH 'kitabu'`).pluck().get(), 0);
  assert.deepEqual(db.prepare('SELECT collection_id, passage_id FROM passage_tombstones').all(), [{ collection_id: 1, passage_id: 1 }]);
});

test('metadata_types: backfilled on upgrade, then kept by triggers through insert, update, delete and collection drop', () => {
  const file = path.join(tempDir(), 'types.db');
  const v3 = openDatabase(file, { migrateUpTo: 3 });
  v3.prepare("INSERT INTO collections (id, name, encoder, dim) VALUES (1, 'c', 'e', 4)").run();
  const insert = v3.prepare('INSERT INTO documents (collection_id, external_id, text, metadata, content_hash) VALUES (1, ?, ?, ?, ?)');
  insert.run('a', 'x', JSON.stringify({ year: 2024, topic: 'health' }), 'h');
  insert.run('b', 'x', JSON.stringify({ year: 1.5, ok: true }), 'h');
  v3.close();

  const db = openDatabase(file);
  const types = () => db.prepare('SELECT key, type, documents FROM metadata_types ORDER BY key, type').raw().all();
  assert.deepEqual(types(), [['ok', 'true', 1], ['topic', 'text', 1], ['year', 'integer', 1], ['year', 'real', 1]]);
  db.prepare("INSERT INTO documents (collection_id, external_id, text, metadata, content_hash) VALUES (1, 'c', 'x', ?, 'h')").run(JSON.stringify({ year: '2024' }));
  db.prepare("UPDATE documents SET metadata = ? WHERE external_id = 'a'").run(JSON.stringify({ year: 2025 }));
  db.prepare("UPDATE documents SET metadata = NULL WHERE external_id = 'b'").run();
  assert.deepEqual(types(), [['year', 'integer', 1], ['year', 'text', 1]]);
  db.prepare("DELETE FROM documents WHERE external_id = 'c'").run();
  assert.deepEqual(types(), [['year', 'integer', 1]]);
  db.prepare('DELETE FROM collections WHERE id = 1').run();
  assert.deepEqual(types(), []);
  db.close();
});

test('migration 8: a stored hnsw.ef of 64 (the old default, stored whether asked for or not) reads as unset; another ef stays', () => {
  const file = path.join(tempDir(), 'ef.db');
  const v7 = openDatabase(file, { migrateUpTo: 7 });
  const insert = v7.prepare("INSERT INTO collections (name, encoder, dim, config) VALUES (?, 'e', 4, ?)");
  insert.run('old-default', JSON.stringify({ hnsw: { M: 16, efConstruction: 200, ef: 64 }, passages: { maxChars: 1000, overlapChars: 200 } }));
  insert.run('own-ef', JSON.stringify({ hnsw: { M: 16, efConstruction: 200, ef: 128 }, passages: { maxChars: 1000, overlapChars: 200 } }));
  v7.close();

  const db = openDatabase(file);
  const hnswOf = (name: string) => JSON.parse(db.prepare('SELECT config FROM collections WHERE name = ?').pluck().get(name) as string).hnsw;
  assert.deepEqual(hnswOf('old-default'), { M: 16, efConstruction: 200 });
  assert.deepEqual(hnswOf('own-ef'), { M: 16, efConstruction: 200, ef: 128 });
  db.close();
});

const DATABASE_MODULE = new URL('../../indexer/database.js', import.meta.url).href;

test('opening a new database while another process holds its write lock waits for the lock instead of failing', async () => {
  // Two processes creating one database (server workers on an empty data directory) collide in the switch to WAL,
  // where SQLite answers SQLITE_BUSY without calling the busy handler. Here this process holds the write lock of
  // a fresh database and lets go 300 ms after a child process began opening it: the child must wait, not fail.
  const file = path.join(tempDir(), 'locked.db');
  const holder = new Database(file);
  holder.exec('CREATE TABLE t (x)');
  holder.exec('BEGIN IMMEDIATE');
  holder.exec('INSERT INTO t VALUES (1)');
  const script = `const { openDatabase } = await import(${JSON.stringify(DATABASE_MODULE)});
    console.log('opening');
    const db = openDatabase(${JSON.stringify(file)});
    console.log(db.pragma('journal_mode', { simple: true }));
    db.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const release = () => {
    if (holder.inTransaction) holder.exec('COMMIT');
  };
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const first = stdout === '';
    stdout += chunk.toString();
    if (first) setTimeout(release, 300);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  release();
  holder.close();
  assert.equal(code, 0, stderr);
  assert.deepEqual(stdout.trim().split('\n'), ['opening', 'wal']);
});

test('quickCheck: a missing file is absent, a sound one ok, one over the size bound skipped, garbage corrupt', () => {
  const dir = tempDir();
  const file = path.join(dir, 'checked.db');
  assert.deepEqual(quickCheck(file, Infinity), { status: 'absent', bytes: 0 });
  openDatabase(file).close();
  const { status, bytes } = quickCheck(file, Infinity);
  assert.equal(status, 'ok');
  assert.ok(bytes > 0);
  assert.deepEqual(quickCheck(file, bytes - 1), { status: 'skipped', bytes });
  const notADatabase = path.join(dir, 'garbage.db');
  fs.writeFileSync(notADatabase, Buffer.alloc(8192, 0x5a));
  const garbage = quickCheck(notADatabase, Infinity);
  assert.equal(garbage.status, 'corrupt');
  assert.ok(isCorruptionError({ code: 'SQLITE_NOTADB' }) && isCorruptionError({ code: 'SQLITE_CORRUPT_INDEX' }));
  assert.ok(!isCorruptionError({ code: 'SQLITE_BUSY' }) && !isCorruptionError(null) && !isCorruptionError(new Error('x')));
});

test('withoutMemoryMap reads with memory-mapped I/O off and turns it back on after, also when the read throws', () => {
  const db = openDatabase(path.join(tempDir(), 'tafuta.db'));
  const mmapSize = () => db.pragma('mmap_size', { simple: true }) as number;
  const mapped = mmapSize();
  assert.ok(mapped > 0);
  assert.equal(withoutMemoryMap(db, mmapSize), 0);
  assert.throws(() => withoutMemoryMap(db, () => {
    throw new Error('read failed');
  }), /read failed/);
  assert.equal(mmapSize(), mapped);
  db.close();
});
