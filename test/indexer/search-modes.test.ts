/** Every search mode with the result features that apply to all of them (grouping, highlights, paging). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchSchema } from '../../indexer/schemas.js';
import { SEARCH_MODES } from '../../indexer/types.js';
import { SAMPLE_DOCUMENTS, testEngine } from '../helpers/engine.js';

test('each mode groups by document, highlights and pages', async () => {
  const engine = testEngine(undefined);
  await engine.createCollection('c');
  await engine.upsertDocuments('c', [...SAMPLE_DOCUMENTS, { id: 'long', lang: 'sw', text: Array.from({ length: 40 }, (_, i) => `Sentensi ${i}: maji safi ni muhimu kwa afya.`).join(' ') }]);
  for (const mode of SEARCH_MODES) {
    const request = searchSchema.parse({ query: 'maji safi', mode, k: 3, group_by: 'document', highlight: true });
    const { results } = await engine.search('c', request);
    assert.ok(results.length > 0, mode);
    assert.equal(new Set(results.map((r) => r.id)).size, results.length, `${mode}: one result per document`);
    for (const r of results) {
      assert.ok(r.highlights !== undefined, `${mode}: highlights`);
      for (const span of [...(r.highlights.terms ?? []), ...(r.highlights.sentence ? [r.highlights.sentence] : [])]) {
        assert.ok(span.start >= 0 && span.end <= r.text.length && span.start < span.end, `${mode}: span inside the passage`);
      }
    }
    const all = await engine.search('c', searchSchema.parse({ query: 'maji safi', mode, k: 4 }));
    const second = await engine.search('c', searchSchema.parse({ query: 'maji safi', mode, k: 2, offset: 2 }));
    assert.deepEqual(second.results.map((r) => r.passage_id), all.results.slice(2).map((r) => r.passage_id), `${mode}: pages are slices of one search`);
  }
  await engine.close();
});

test('the lexical modes need a query; a vector alone is refused for them', () => {
  for (const mode of ['bm25', 'translate', 'translate-hybrid']) {
    const parsed = searchSchema.safeParse({ vector: [1, 0], mode });
    assert.equal(parsed.success, false, mode);
    assert.match(parsed.error!.issues[0]!.message, /match words: give a query/);
  }
  assert.equal(searchSchema.safeParse({ vector: [1, 0], mode: 'dense' }).success, true);
});
