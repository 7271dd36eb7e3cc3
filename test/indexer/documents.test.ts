/** The document API beyond upsert/get/delete: search pages, listing with cursors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Engine } from '../../indexer/engine.js';
import { encodeCursor } from '../../indexer/cursor.js';
import { isTafutaError } from '../../indexer/errors.js';
import { testEngine } from '../helpers/engine.js';

const DOCUMENTS = Array.from({ length: 60 }, (_, i) => ({
  id: `doc-${String(i).padStart(2, '0')}`,
  lang: i % 3 === 0 ? 'en' : 'sw',
  text: `Maji safi ${i % 7} kwa watoto wa shule ${i % 11}, kilimo ${i % 5} na afya.`,
  title: `Hati ${i}`,
  metadata: { n: i, even: i % 2 === 0 },
}));

async function seeded(): Promise<Engine> {
  const engine = testEngine(undefined);
  engine.createCollection('c');
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
  const walk = (filter?: Parameters<Engine['listDocuments']>[1]['filter']) => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = engine.listDocuments('c', { limit: 7, cursor, filter });
      assert.ok(page.documents.length <= 7);
      seen.push(...page.documents.map((d) => d.id));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    return { seen, pages };
  };
  const everything = walk();
  assert.deepEqual(everything.seen, DOCUMENTS.map((d) => d.id));
  assert.equal(everything.pages, 9, '60 documents in pages of 7: 8 full pages and one of 4, no empty page');
  const evenSw = walk({ lang: 'sw', metadata: { even: true, n: { $lt: 40 } } });
  assert.deepEqual(evenSw.seen, DOCUMENTS.filter((d) => d.lang === 'sw' && d.metadata.even && d.metadata.n < 40).map((d) => d.id));
  const first = engine.listDocuments('c', { limit: 1 }).documents[0]!;
  assert.deepEqual(first, { ...engine.getDocument('c', 'doc-00') }, 'a listed document is what GET returns');
  assert.throws(() => engine.listDocuments('c', { limit: 5, filter: { metadata: { n: 'five' } } }), { code: 'INVALID_ARGUMENT' });
  engine.close();
});

test('listing cursors are opaque and checked: foreign, tampered and malformed ones are INVALID_ARGUMENT', async () => {
  const engine = await seeded();
  const next = engine.listDocuments('c', { limit: 2 }).next_cursor!;
  assert.equal(engine.listDocuments('c', { limit: 2, cursor: next }).documents[0]!.id, 'doc-02');
  for (const cursor of ['', 'abc', '!!!', Buffer.from('d-1').toString('base64url'), Buffer.from('d0').toString('base64url'), Buffer.from('x5').toString('base64url'), 'ZDE5OTk5OTk5OTk5OTk5OTk5OTk5', `${next}=`]) {
    assert.throws(
      () => engine.listDocuments('c', { limit: 2, cursor }),
      (e: unknown) => isTafutaError(e) && e.code === 'INVALID_ARGUMENT' && /cursor/.test(e.message),
      JSON.stringify(cursor),
    );
  }
  // A cursor past the last document (its document deleted meanwhile) is a valid, empty page.
  assert.deepEqual(engine.listDocuments('c', { limit: 2, cursor: encodeCursor(10_000) }), { documents: [], next_cursor: null });
  engine.close();
});
