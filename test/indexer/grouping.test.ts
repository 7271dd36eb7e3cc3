/** group_by: "document": one result per document, its best passage, k documents when there are k, stable pages. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Engine } from '../../indexer/engine.js';
import { GROUP_DEPTHS, groupByDocument } from '../../indexer/grouping.js';
import { testEngine } from '../helpers/engine.js';

const MODES = ['dense', 'bm25', 'hybrid'] as const;
const QUERY = 'maji safi ya kisima';

/** One long document whose every passage matches the query best, so it alone fills the first GROUP_DEPTHS[0] passages, and 20 short ones. */
async function seeded(): Promise<Engine> {
  const engine = testEngine(undefined);
  await engine.createCollection('c', { config: { passages: { maxChars: 60, overlapChars: 0 } } });
  const long = Array.from({ length: 2 * GROUP_DEPTHS[0] + 40 }, (_, i) => `Maji safi ya kisima ${i}.`).join(' ');
  await engine.upsertDocuments('c', [
    { id: 'long', lang: 'sw', text: long },
    ...Array.from({ length: 20 }, (_, i) => ({ id: `short-${i}`, lang: 'sw', text: `Maji ya mto ${i} leo. Watoto wanacheza mpira uwanjani kila jioni.` })),
  ]);
  return engine;
}

test('one result per document, its best passage, with how many of its passages matched, in every mode', async () => {
  const engine = await seeded();
  for (const mode of MODES) {
    const passages = await engine.search('c', { query: QUERY, k: 5, mode });
    assert.ok(passages.results.filter((r) => r.id === 'long').length > 1, `${mode}: ungrouped, one document fills several ranks`);
    const grouped = await engine.search('c', { query: QUERY, k: 5, mode, group_by: 'document' });
    const ids = grouped.results.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, `${mode}: ${ids.join(', ')}`);
    assert.equal(grouped.results[0]!.id, 'long');
    assert.deepEqual(grouped.results[0]!.passage_id, passages.results[0]!.passage_id, `${mode}: the best passage represents its document`);
    assert.equal(grouped.results[0]!.score, passages.results[0]!.score);
    assert.ok(grouped.results[0]!.matched_passages! > GROUP_DEPTHS[0] / 2, `${mode}: ${grouped.results[0]!.matched_passages}`);
    for (const r of grouped.results.slice(1)) assert.ok(r.matched_passages! >= 1 && r.matched_passages! <= 2, `${mode}: ${r.id} has 2 passages`);
    assert.deepEqual(grouped.results.map((r) => r.rank), [1, 2, 3, 4, 5]);
    assert.ok(passages.results.every((r) => r.matched_passages === undefined));
  }
  engine.close();
});

test('k documents come back when there are k, though one document fills the first passages', async () => {
  const engine = await seeded();
  const top = await engine.search('c', { query: QUERY, k: GROUP_DEPTHS[0], mode: 'bm25' });
  assert.ok(top.results.every((r) => r.id === 'long'), 'the search must look deeper than the first depth');
  for (const mode of MODES) {
    const { results } = await engine.search('c', { query: QUERY, k: 10, mode, group_by: 'document' });
    assert.equal(new Set(results.map((r) => r.id)).size, 10, mode);
  }
  const all = await engine.search('c', { query: QUERY, k: 100, mode: 'dense', group_by: 'document' });
  assert.equal(all.results.length, 21, 'every document once, no more');
  engine.close();
});

test('grouped pages are slices of one grouped search, matched_passages included', async () => {
  const engine = await seeded();
  for (const mode of MODES) {
    const whole = await engine.search('c', { query: QUERY, k: 15, mode, group_by: 'document' });
    const pages = [];
    for (let offset = 0; offset < 15; offset += 5) pages.push(...(await engine.search('c', { query: QUERY, k: 5, offset, mode, group_by: 'document' })).results);
    assert.deepEqual(pages, whole.results, mode);
  }
  engine.close();
});

test('groupByDocument keeps rank order, counts passages per document, skips passages deleted since ranking', () => {
  const hits = [10, 11, 20, 12, 30, 40].map((label, i) => ({ label, score: 1 - i / 10 }));
  const documentOf = new Map([[10, 1], [11, 1], [12, 1], [20, 2], [40, 4]]);
  assert.deepEqual(groupByDocument(hits, documentOf), [
    { label: 10, score: 1, matchedPassages: 3 },
    { label: 20, score: 0.8, matchedPassages: 1 },
    { label: 40, score: 0.5, matchedPassages: 1 },
  ]);
});
