/**
 * U+0000, which PostgreSQL's text and jsonb refuse, on every store: documents whose text, title or metadata hold it
 * round-trip exactly and are found; ids, names and filter operands holding it find what they name (nothing, or
 * exactly the documents holding that string), never a server error. Found by the HTTP fuzz on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { isTafutaError } from '../../../core/errors.js';
import { escapeNul, unescapeNul } from '../../../indexer/postgres/nul-escape.js';
import { postgresStore, testStores } from '../../helpers/stores.js';

after(() => postgresStore.stop());

test('escapeNul: what it writes holds no NUL, unescapeNul gives back every string exactly, and strings without NUL or a leading marker stay as they are', () => {
  const part = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('\u0000', '\uE000', '\uE0000', '\uE000\uE000', '0'));
  fc.assert(
    fc.property(fc.array(part, { maxLength: 6 }).map((p) => p.join('')), (text) => {
      const stored = escapeNul(text);
      assert.ok(!stored.includes('\u0000'));
      assert.equal(unescapeNul(stored), text);
      if (!text.includes('\u0000') && !text.startsWith('\uE000')) assert.equal(stored, text);
    }),
    { numRuns: 2000 },
  );
  assert.notEqual(escapeNul('a\u0000'), escapeNul('a\uE0000'), 'a NUL and a marker followed by "0" stay apart');
});

const NUL_DOCUMENT = { id: 'nul', lang: 'sw', title: 'Ma\u0000ji', text: 'Maji \u0000safi ni muhimu\u0000', metadata: { topic: 'he\u0000alth', tags: ['\u0000', '\uE000x'], nested: { k: 'a\u0000b' } } };
const MARKER_DOCUMENT = { id: '\uE000marker', lang: 'sw', title: undefined, text: '\uE0000 mahindi ya masika', metadata: { topic: '\uE0000' } };

for (const store of testStores()) test(`NUL in text, title and metadata round-trips and is searchable; NUL in ids, names and filters finds what it names (${store.name} store)`, async () => {
  const engine = await store.freshEngine();
  try {
    await engine.createCollection('c');
    await engine.upsertDocuments('c', [NUL_DOCUMENT, MARKER_DOCUMENT, { id: 'plain', lang: 'sw', text: 'Maji safi.', metadata: { topic: 'health' } }]);
    for (const d of [NUL_DOCUMENT, MARKER_DOCUMENT]) {
      const got = await engine.getDocument('c', d.id);
      assert.equal(got.id, d.id);
      assert.equal(got.text, d.text);
      assert.equal(got.title, d.title ?? null);
      assert.deepEqual(got.metadata, d.metadata);
    }
    for (const mode of ['dense', 'bm25', 'hybrid'] as const) {
      const { results } = await engine.search('c', { query: 'maji safi muhimu', mode, k: 3 });
      const hit = results.find((r) => r.id === 'nul');
      assert.ok(hit, mode);
      assert.equal(hit.text, NUL_DOCUMENT.text);
      assert.equal(hit.title, NUL_DOCUMENT.title);
      assert.deepEqual(hit.metadata, NUL_DOCUMENT.metadata);
    }
    const byTopic = async (topic: unknown) => (await engine.search('c', { query: 'maji', mode: 'dense', k: 10, filter: { metadata: { topic } } })).results.map((r) => r.id).sort();
    assert.deepEqual(await byTopic('he\u0000alth'), ['nul']);
    assert.deepEqual(await byTopic('\uE0000'), ['\uE000marker']);
    assert.deepEqual(await byTopic({ $in: ['health', '\u0000'] }), ['plain']);
    assert.deepEqual(await byTopic({ $ne: 'he\u0000alth' }), ['plain', '\uE000marker']);

    await engine.patchDocument('c', 'plain', { title: 'T\u0000', metadata: { topic: '\u0000' } });
    const patched = await engine.getDocument('c', 'plain');
    assert.equal(patched.title, 'T\u0000');
    assert.deepEqual(patched.metadata, { topic: '\u0000' });
    assert.deepEqual(await byTopic('\u0000'), ['plain']);

    const failsWith = (code: string) => (error: unknown) => isTafutaError(error) && error.code === code;
    await assert.rejects(engine.getDocument('c', 'nul\u0000'), failsWith('DOCUMENT_NOT_FOUND'));
    await assert.rejects(engine.getCollection('c\u0000'), failsWith('COLLECTION_NOT_FOUND'));
    await assert.rejects(engine.search('c', { query: 'maji', mode: 'dense', k: 10, filter: { metadata: { 'to\u0000pic': { $exists: true } } } }), failsWith('INVALID_ARGUMENT'));
    assert.equal(await engine.deleteDocument('c', 'plain\u0000').catch((error: unknown) => (failsWith('DOCUMENT_NOT_FOUND')(error) ? 'not found' : error)), 'not found');
    assert.deepEqual(await engine.deleteDocuments('c', { ids: ['nul\u0000', '\u0000'] }), { deleted: 0 });
    assert.equal((await engine.getCollection('c')).documents, 3);
  } finally {
    await engine.close();
  }
});
