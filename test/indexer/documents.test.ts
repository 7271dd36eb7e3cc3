/** The document API beyond upsert/get/delete: search pages, listing with cursors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Engine } from '../../indexer/engine.js';
import { encodeCursor } from '../../indexer/cursor.js';
import { isTafutaError } from '../../core/errors.js';
import { sqliteStoreOf, testEngine } from '../helpers/engine.js';

const DOCUMENTS = Array.from({ length: 60 }, (_, i) => ({
  id: `doc-${String(i).padStart(2, '0')}`,
  lang: i % 3 === 0 ? 'en' : 'sw',
  text: `Maji safi ${i % 7} kwa watoto wa shule ${i % 11}, kilimo ${i % 5} na afya.`,
  title: `Hati ${i}`,
  metadata: { n: i, even: i % 2 === 0 },
}));

async function seeded(): Promise<Engine> {
  const engine = testEngine(undefined);
  await engine.createCollection('c');
  await engine.upsertDocuments('c', DOCUMENTS);
  return engine;
}

test('search pages: offset windows are slices of one deeper search, ranks continue, in every mode', async () => {
  const engine = await seeded();
  for (const mode of ['dense', 'bm25', 'hybrid'] as const) {
    const all = await engine.search('c', { query: 'maji safi watoto', k: 30, mode });
    const pages = [];
    for (let offset = 0; offset < 30; offset += 10) pages.push(...(await engine.search('c', { query: 'maji safi watoto', k: 10, offset, mode })).results);
    assert.deepEqual(pages, all.results, mode);
    assert.deepEqual(pages.map((r) => r.rank), Array.from({ length: 30 }, (_, i) => i + 1));
  }
  const beyond = await engine.search('c', { query: 'maji', k: 10, offset: 990, mode: 'dense' });
  assert.deepEqual(beyond.results, [], 'an offset past the end is an empty page');
  engine.close();
});

test('listing: every document exactly once across cursor pages, in insertion order, with a filter', async () => {
  const engine = await seeded();
  const walk = async (filter?: Parameters<Engine['listDocuments']>[1]['filter']) => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await engine.listDocuments('c', { limit: 7, cursor, filter });
      assert.ok(page.documents.length <= 7);
      seen.push(...page.documents.map((d) => d.id));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    return { seen, pages };
  };
  const everything = await walk();
  assert.deepEqual(everything.seen, DOCUMENTS.map((d) => d.id));
  assert.equal(everything.pages, 9, '60 documents in pages of 7: 8 full pages and one of 4, no empty page');
  const evenSw = await walk({ lang: 'sw', metadata: { even: true, n: { $lt: 40 } } });
  assert.deepEqual(evenSw.seen, DOCUMENTS.filter((d) => d.lang === 'sw' && d.metadata.even && d.metadata.n < 40).map((d) => d.id));
  const first = (await engine.listDocuments('c', { limit: 1 })).documents[0]!;
  assert.deepEqual(first, { ...(await engine.getDocument('c', 'doc-00')) }, 'a listed document is what GET returns');
  await assert.rejects(async () => engine.listDocuments('c', { limit: 5, filter: { metadata: { n: 'five' } } }), { code: 'INVALID_ARGUMENT' });
  engine.close();
});

test('listing cursors are opaque and checked: foreign, tampered and malformed ones are INVALID_ARGUMENT', async () => {
  const engine = await seeded();
  const next = (await engine.listDocuments('c', { limit: 2 })).next_cursor!;
  assert.equal((await engine.listDocuments('c', { limit: 2, cursor: next })).documents[0]!.id, 'doc-02');
  for (const cursor of ['', 'abc', '!!!', Buffer.from('d-1').toString('base64url'), Buffer.from('d0').toString('base64url'), Buffer.from('x5').toString('base64url'), 'ZDE5OTk5OTk5OTk5OTk5OTk5OTk5', `${next}=`]) {
    await assert.rejects(
      async () => engine.listDocuments('c', { limit: 2, cursor }),
      (e: unknown) => isTafutaError(e) && e.code === 'INVALID_ARGUMENT' && /cursor/.test(e.message),
      JSON.stringify(cursor),
    );
  }
  // A cursor past the last document (its document deleted meanwhile) is a valid, empty page.
  assert.deepEqual(await engine.listDocuments('c', { limit: 2, cursor: encodeCursor(10_000) }), { documents: [], next_cursor: null });
  engine.close();
});

/** Passage ids and vectors of a collection, byte for byte. */
function vectorsOf(engine: Engine): string[] {
  const store = sqliteStoreOf(engine);
  const collection = store.requireCollection('c');
  return [...store.vectorsBetween(collection.id, 0, Number.MAX_SAFE_INTEGER)].map((v) => `${v.label}:${Buffer.from(v.vector.buffer).toString('hex')}`);
}

test('PATCH merges metadata (RFC 7396) without re-encoding; the document still counts as unchanged on re-index; a title change re-encodes', async () => {
  const engine = await seeded();
  const before = vectorsOf(engine);
  const patched = await engine.patchDocument('c', 'doc-04', { title: DOCUMENTS[4]!.title, metadata: { n: null, tag: 'x', nested: { a: 1, b: 2 } } });
  assert.equal(patched.title, DOCUMENTS[4]!.title);
  assert.deepEqual(patched.metadata, { even: true, tag: 'x', nested: { a: 1, b: 2 } }, 'null removed n; new keys added; even kept');
  assert.equal(patched.text, DOCUMENTS[4]!.text);
  assert.equal(patched.lang, DOCUMENTS[4]!.lang);
  const again = await engine.patchDocument('c', 'doc-04', { metadata: { nested: { b: null, c: 3 } } });
  assert.deepEqual(again.metadata, { even: true, tag: 'x', nested: { a: 1, c: 3 } }, 'objects merge recursively');
  assert.deepEqual(vectorsOf(engine), before, 'passages and vectors untouched');
  assert.deepEqual((await engine.search('c', { query: 'water', k: 5, mode: 'dense', filter: { metadata: { tag: 'x' } } })).results.map((r) => r.id), ['doc-04']);
  assert.equal((await engine.patchDocument('c', 'doc-04', { metadata: null })).metadata, null);

  // The file it came from, indexed again: same text, so unchanged (not re-encoded), and its fields come back.
  const reindexed = await engine.upsertDocuments('c', [DOCUMENTS[4]!]);
  assert.deepEqual(reindexed, { upserted: 0, unchanged: 1, passages: 0 });
  assert.deepEqual((await engine.getDocument('c', 'doc-04')).metadata, DOCUMENTS[4]!.metadata);
  assert.deepEqual(vectorsOf(engine), before);

  // A title is encoded with the text (indexer/titles.ts): changing it writes the document again, metadata merged.
  const retitled = await engine.patchDocument('c', 'doc-04', { title: null, metadata: { tag: 'y' } });
  assert.equal(retitled.title, null);
  assert.deepEqual(retitled.metadata, { ...DOCUMENTS[4]!.metadata, tag: 'y' });
  assert.notDeepEqual(vectorsOf(engine), before);

  await assert.rejects(engine.patchDocument('c', 'nope', { title: 'x' }), { code: 'DOCUMENT_NOT_FOUND' });
  const tooMany = Object.fromEntries(Array.from({ length: 63 }, (_, i) => [`k${i}`, i])); // 63 new keys + n + even = 65
  await assert.rejects(engine.patchDocument('c', 'doc-05', { metadata: tooMany }), { code: 'INVALID_ARGUMENT', message: /at most 64 keys/ });
  assert.deepEqual((await engine.getDocument('c', 'doc-05')).metadata, DOCUMENTS[5]!.metadata, 'a refused patch changes nothing');
  engine.close();
});

test('delete by ids or by filter: counts what it deleted, search never returns them, an empty filter deletes nothing', async () => {
  const engine = await seeded();
  assert.deepEqual(await engine.deleteDocuments('c', { ids: ['doc-00', 'doc-01', 'no-such'] }), { deleted: 2 });
  const gone = await engine.deleteDocuments('c', { filter: { lang: 'en', metadata: { n: { $gte: 30 } } } });
  const expected = DOCUMENTS.filter((d) => d.lang === 'en' && d.metadata.n >= 30).map((d) => d.id);
  assert.deepEqual(gone, { deleted: expected.length });
  const left = new Set((await engine.listDocuments('c', { limit: 1000 })).documents.map((d) => d.id));
  assert.equal(left.size, DOCUMENTS.length - 2 - expected.length);
  for (const id of ['doc-00', 'doc-01', ...expected]) assert.ok(!left.has(id), id);
  for (const mode of ['dense', 'bm25', 'hybrid'] as const) {
    const { results } = await engine.search('c', { query: 'maji safi watoto kilimo afya', k: 100, mode });
    assert.ok(results.every((r) => left.has(r.id)), `${mode} returns no deleted document`);
  }
  assert.equal((await engine.getCollection('c')).indexedVectors, left.size, 'the ANN index dropped their vectors');
  for (const filter of [{}, { metadata: {} }]) {
    await assert.rejects(engine.deleteDocuments('c', { filter }), { code: 'INVALID_ARGUMENT', message: /restrict something/ });
  }
  await assert.rejects(engine.deleteDocuments('c', { filter: { metadata: { n: 'ten' } } }), { code: 'INVALID_ARGUMENT' });
  assert.equal((await engine.getCollection('c')).documents, left.size, 'refused deletes delete nothing');
  engine.close();
});
