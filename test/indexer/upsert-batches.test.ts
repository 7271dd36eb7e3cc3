import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Engine } from '../../indexer/engine.js';
import type { UpsertResult } from '../../indexer/engine-types.js';
import type { DocumentInput } from '../../indexer/types.js';
import type { Encoder } from '../../models/encoder.js';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { sqliteStoreOf, testEngine } from '../helpers/engine.js';

/**
 * The hashed encoder answering after a delay that depends on the texts, so that batches prepared side by side finish
 * out of order; it fails on a text containing FAIL.
 */
function unevenEncoder(): Encoder {
  const base = createHashedNgramEncoder({ dim: 64 });
  return {
    info: base.info,
    async embed(texts, options) {
      const delayMs = texts.reduce((sum, t) => sum + t.length, 0) % 7;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (texts.some((t) => t.includes('FAIL'))) throw new Error('encoder exploded');
      return base.embed(texts, options);
    },
  };
}

const words = ['maji', 'shule', 'kilimo', 'afya', 'watoto', 'mvua', 'mahindi', 'familia', 'soko', 'barabara'];
const text = (seed: number, length: number) => Array.from({ length }, (_, i) => words[(seed * 7 + i * 3) % words.length]).join(' ');

/**
 * Batches that exercise the look-ahead: an id written again two batches later with the content it has in the store
 * before the first of them (its unchanged check must see the write in between), unchanged documents, a document of
 * several passages, and batches of distinct ids that are prepared side by side.
 */
const SEED: DocumentInput[] = [{ id: 'a', lang: 'sw', text: text(1, 12) }, { id: 'b', lang: 'sw', text: text(2, 12) }];
const BATCHES: DocumentInput[][] = [
  [{ id: 'a', lang: 'sw', text: text(3, 12) }, { id: 'c', lang: 'sw', text: text(4, 12) }],
  [{ id: 'b', lang: 'sw', text: text(2, 12) }, { id: 'd', lang: 'sw', text: text(5, 60), title: 'Ndefu' }],
  [{ id: 'a', lang: 'sw', text: text(1, 12) }, { id: 'e', text: text(6, 12), metadata: { n: 1 } }],
  ...Array.from({ length: 8 }, (_, i) => Array.from({ length: 5 }, (_, j) => ({ id: `f${i}-${j}`, lang: 'sw', text: text(10 + i * 5 + j, 8 + j) }))),
  [{ id: 'c', lang: 'sw', text: text(4, 12) }, { id: 'f0-0', lang: 'sw', text: text(99, 9) }],
];

/** What the store holds of a collection, row by row (timestamps left out). */
function contents(engine: Engine): unknown {
  const { db } = sqliteStoreOf(engine);
  return {
    documents: db.prepare('SELECT id, external_id, title, text, lang, lang_detected, metadata, content_hash FROM documents ORDER BY id').raw().all(),
    passages: db.prepare('SELECT id, document_id, ordinal, text, search_text, title_search_text, start_offset, end_offset, hex(embedding) FROM passages ORDER BY id').raw().all(),
    fts: db.prepare("SELECT rowid FROM passages_fts WHERE passages_fts MATCH 'maji' ORDER BY rowid").raw().all(),
    tombstones: db.prepare('SELECT seq, passage_id FROM passage_tombstones ORDER BY seq').raw().all(),
  };
}

async function seededEngine(): Promise<Engine> {
  const engine = testEngine(undefined, [unevenEncoder()]);
  await engine.createCollection('c', { config: { passages: { maxChars: 120, overlapChars: 20 } } });
  await engine.upsertDocuments('c', SEED);
  return engine;
}

async function* stream(batches: readonly DocumentInput[][], failAfter = Infinity): AsyncGenerator<DocumentInput[]> {
  for (const [i, batch] of batches.entries()) {
    if (i === failAfter) throw new Error('unreadable record');
    yield batch;
  }
}

test('upsertBatches stores what one upsertDocuments per batch stores, with the same results, whatever order the encodings finish in', async () => {
  const sequential = await seededEngine();
  const expected: UpsertResult[] = [];
  for (const batch of BATCHES) expected.push(await sequential.upsertDocuments('c', batch, { deferIndex: true }));

  for (const lookahead of [1, 3, 8]) {
    const bulk = await seededEngine();
    const results: Array<[UpsertResult, number]> = [];
    await bulk.upsertBatches('c', stream(BATCHES), { deferIndex: true, lookahead, onBatch: (result, documents) => results.push([result, documents]) });
    assert.deepEqual(results, expected.map((r, i) => [r, BATCHES[i]!.length]), `lookahead ${lookahead}`);
    assert.deepEqual(contents(bulk), contents(sequential), `lookahead ${lookahead}`);
    const query = { query: text(3, 12), k: 5, mode: 'hybrid' } as const;
    assert.deepEqual((await bulk.search('c', query)).results, (await sequential.search('c', query)).results);
    await bulk.close();
  }
  await sequential.close();
});

test('upsertBatches: a batch that cannot be read or prepared fails after the batches before it are committed, and nothing after it is', async () => {
  const sequential = await seededEngine();
  for (const batch of BATCHES.slice(0, 5)) await sequential.upsertDocuments('c', batch);

  const unreadable = await seededEngine();
  const committed: number[] = [];
  await assert.rejects(unreadable.upsertBatches('c', stream(BATCHES, 5), { onBatch: (_, documents) => committed.push(documents) }), /unreadable record/);
  assert.equal(committed.length, 5);
  assert.deepEqual(contents(unreadable), contents(sequential));
  await unreadable.close();

  const duplicated = await seededEngine();
  const withDuplicate = [...BATCHES.slice(0, 5), [{ id: 'x', text: 'moja' }, { id: 'x', text: 'mbili' }], ...BATCHES.slice(5)];
  await assert.rejects(duplicated.upsertBatches('c', stream(withDuplicate)), { code: 'INVALID_ARGUMENT' });
  assert.deepEqual(contents(duplicated), contents(sequential));
  await duplicated.close();

  const unencodable = await seededEngine();
  const withFailure = [...BATCHES.slice(0, 5), [{ id: 'x', text: 'FAIL here' }], ...BATCHES.slice(5)];
  await assert.rejects(unencodable.upsertBatches('c', stream(withFailure)), /encoder exploded/);
  assert.deepEqual(contents(unencodable), contents(sequential));
  await unencodable.close();
  await sequential.close();
});
