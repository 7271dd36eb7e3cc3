/** Titles: a BM25 column of their own, encoded with every passage, in the content hash, re-encoded by PATCH. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../indexer/database.js';
import type { Engine } from '../../indexer/engine.js';
import { indexFile } from '../../indexer/pipeline.js';
import type { DocumentInput } from '../../indexer/types.js';
import { sqliteStoreOf, tempDir, testEngine } from '../helpers/engine.js';

const DOCUMENTS = [
  { id: 'kilimo', lang: 'sw', title: 'Mahindi', text: 'Wakulima wanapanda wakati wa mvua za masika.' },
  { id: 'afya', lang: 'sw', title: 'Afya ya jamii', text: 'Watoto wanahitaji chakula bora na maji safi kila siku.' },
  { id: 'shule', lang: 'sw', text: 'Wanafunzi wanasoma vitabu shuleni asubuhi na jioni.' },
];

async function engineWith(documents: readonly DocumentInput[]): Promise<Engine> {
  const engine = testEngine(undefined);
  await engine.createCollection('c');
  await engine.upsertDocuments('c', documents);
  return engine;
}

const seeded = () => engineWith(DOCUMENTS);

/** Every stored passage vector of the collection, as hex, by passage id. */
function vectorsOf(engine: Engine): Map<number, string> {
  const store = sqliteStoreOf(engine);
  const collection = store.requireCollection('c');
  return new Map([...store.vectorsBetween(collection.id, 0, Number.MAX_SAFE_INTEGER)].map((v) => [v.label, Buffer.from(v.vector.buffer).toString('hex')]));
}

test('BM25 finds a document by a word only its title holds, and results keep the text without the title', async () => {
  const engine = await seeded();
  const { results } = await engine.search('c', { query: 'MAHINDI', k: 5, mode: 'bm25' });
  assert.deepEqual(results.map((r) => r.id), ['kilimo']);
  assert.equal(results[0]!.text, DOCUMENTS[0]!.text, 'the title is not part of the passage text');
  assert.equal(results[0]!.title, 'Mahindi');
  engine.close();
});

test('the title is its own BM25 field, weighted above the text', async () => {
  const engine = await engineWith([
    { id: 'in-text', title: 'Soko', text: 'Ndizi la kijiji linafunguliwa kila Jumamosi asubuhi.' },
    { id: 'in-title', title: 'Ndizi', text: 'Soko la kijiji linafunguliwa kila Jumamosi asubuhi.' },
  ]);
  // Equal weights would tie them, and ties go to the older passage (in-text).
  const { results } = await engine.search('c', { query: 'ndizi', k: 5, mode: 'bm25' });
  assert.deepEqual(results.map((r) => r.id), ['in-title', 'in-text'], 'same words, same lengths: the title match scores higher');
  assert.ok(results[0]!.score > results[1]!.score);
  engine.close();
});

test('dense vectors encode title + text: a titled passage gets another vector than the same text untitled, and a title query finds it', async () => {
  const engine = await engineWith([
    { id: 'titled', title: 'Mahindi ya njano', text: 'Wakulima wanapanda wakati wa mvua za masika.' },
    { id: 'untitled', text: 'Wakulima wanapanda wakati wa mvua za masika.' },
  ]);
  const [titled, untitled] = [...vectorsOf(engine).values()];
  assert.notEqual(titled, untitled);
  const { results } = await engine.search('c', { query: 'mahindi ya njano', k: 2, mode: 'dense' });
  assert.equal(results[0]!.id, 'titled');
  engine.close();
});

test('the content hash covers the title: a new title re-encodes, the same title does not', async () => {
  const engine = await seeded();
  assert.deepEqual(await engine.upsertDocuments('c', DOCUMENTS), { upserted: 0, unchanged: 3, passages: 0 });
  const retitled = await engine.upsertDocuments('c', [{ ...DOCUMENTS[0]!, title: 'Mtama' }]);
  assert.deepEqual(retitled, { upserted: 1, unchanged: 0, passages: 1 });
  assert.deepEqual((await engine.search('c', { query: 'mtama', k: 5, mode: 'bm25' })).results.map((r) => r.id), ['kilimo']);
  assert.deepEqual((await engine.search('c', { query: 'mahindi', k: 5, mode: 'bm25' })).results, [], 'the old title is gone from BM25');
  engine.close();
});

test('PATCH of a title re-encodes the document (BM25 and vectors follow); a metadata-only PATCH does not', async () => {
  const engine = await seeded();
  const before = vectorsOf(engine);
  await engine.patchDocument('c', 'shule', { metadata: { grade: 3 } });
  assert.deepEqual(vectorsOf(engine), before, 'metadata alone: passages and vectors untouched');

  const patched = await engine.patchDocument('c', 'shule', { title: 'Elimu ya msingi' });
  assert.equal(patched.title, 'Elimu ya msingi');
  assert.deepEqual(patched.metadata, { grade: 3 }, 'the metadata stays');
  assert.equal(patched.lang, 'sw');
  assert.notDeepEqual(vectorsOf(engine), before, 'the passage was encoded again, with its title');
  assert.deepEqual((await engine.search('c', { query: 'elimu', k: 5, mode: 'bm25' })).results.map((r) => r.id), ['shule']);
  assert.deepEqual(await engine.upsertDocuments('c', [{ ...DOCUMENTS[2]!, title: 'Elimu ya msingi', metadata: { grade: 3 } }]), { upserted: 0, unchanged: 1, passages: 0 }, 'the patched document hashes as its upsert would');

  await engine.patchDocument('c', 'shule', { title: null });
  assert.deepEqual((await engine.search('c', { query: 'elimu', k: 5, mode: 'bm25' })).results, []);
  assert.deepEqual(vectorsOf(engine).size, before.size);
  engine.close();
});

test('BEIR titles are indexed: a BEIR corpus is searchable by its titles', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'corpus.jsonl');
  fs.writeFileSync(file, ['{"_id":"d1","title":"Kilimo cha mpunga","text":"Wakulima wanapanda wakati wa mvua."}', '{"_id":"d2","title":"","text":"Watoto wanasoma vitabu."}'].join('\n'));
  const engine = testEngine(undefined);
  await engine.createCollection('c');
  await indexFile({ engine, collection: 'c', file, format: 'beir', batchSize: 10, defaultLang: 'sw' });
  assert.equal((await engine.getDocument('c', 'd1')).title, 'Kilimo cha mpunga');
  assert.equal((await engine.getDocument('c', 'd2')).title, null, 'an empty BEIR title is none');
  assert.deepEqual((await engine.search('c', { query: 'mpunga', k: 5, mode: 'bm25' })).results.map((r) => r.id), ['d1']);
  engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a version-5 database upgrades: stored titles become searchable, titled documents are marked for re-encoding', () => {
  const file = path.join(tempDir(), 'v5.db');
  const v5 = openDatabase(file, { migrateUpTo: 5 });
  v5.prepare("INSERT INTO collections (id, name, encoder, dim) VALUES (1, 'c', 'e', 4)").run();
  const document = v5.prepare('INSERT INTO documents (id, collection_id, external_id, title, text, content_hash) VALUES (?, 1, ?, ?, ?, ?)');
  const passage = v5.prepare("INSERT INTO passages (collection_id, document_id, ordinal, text, search_text, start_offset, end_offset, embedding) VALUES (1, ?, 0, ?, ?, 0, 1, x'00')");
  document.run(1, 'a', 'Mahindi Bora', 'wakulima wanapanda', 'hash-a');
  passage.run(1, 'wakulima wanapanda', 'wakulima wanapanda');
  document.run(2, 'b', null, 'watoto wanasoma', 'hash-b');
  passage.run(2, 'watoto wanasoma', 'watoto wanasoma');
  v5.close();

  const db = openDatabase(file);
  const match = (q: string) => db.prepare('SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rowid').pluck().all(q);
  assert.deepEqual(match('"mahindi"'), [1], 'the title is in the index');
  assert.deepEqual(match('"wanapanda"'), [1], 'the text still is');
  assert.deepEqual(match('"watoto"'), [2]);
  assert.deepEqual(db.prepare('SELECT content_hash FROM documents ORDER BY id').pluck().all(), ['before-titles:hash-a', 'hash-b']);
  db.prepare('DELETE FROM documents WHERE id = 1').run();
  assert.deepEqual(match('"mahindi"'), [], 'deletes keep the index in step');
  db.close();
});
