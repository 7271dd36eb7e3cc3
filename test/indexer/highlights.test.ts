/** highlight: true — matched terms (bm25, hybrid) and the closest sentence (dense, hybrid) as UTF-16 spans of the passage. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { termSpans } from '../../indexer/highlights.js';
import { tokenize } from '../../text/normalize.js';
import type { SearchResult } from '../../indexer/search.js';
import { testEngine } from '../helpers/engine.js';

const marked = (text: string, spans: ReadonlyArray<{ start: number; end: number }> | undefined) => (spans ?? []).map((s) => text.slice(s.start, s.end));
const words = (query: string) => new Set(tokenize(query));

test('term spans point into the original text through case, Latin diacritics, NFKC and emoji', () => {
  const text = '👩‍👩‍👧 Maji SAFI ni muhimu; máji ya Mto, ＭＡＪＩ na majira.';
  assert.deepEqual(marked(text, termSpans(text, words('maji safi'))), ['Maji', 'SAFI', 'máji', 'ＭＡＪＩ'], 'whole words only: not "majira"');
  const yoruba = 'Ọmọ náà ń ṣeré. Omo kékeré.';
  assert.deepEqual(marked(yoruba, termSpans(yoruba, words('omo'))), ['Ọmọ', 'Omo']);
});

test('term spans in other scripts: Ethiopic (with its word separator), Devanagari, Lao without spaces', () => {
  const amharic = 'ንጹህ ውሃ ለልጆች ጤና አስፈላጊ ነው። ውሃ፡ሕይወት ነው።';
  assert.deepEqual(marked(amharic, termSpans(amharic, words('ውሃ'))), ['ውሃ', 'ውሃ']);
  const hindi = 'साफ़ पानी बच्चों के लिए ज़रूरी है।';
  assert.deepEqual(marked(hindi, termSpans(hindi, words('पानी'))), ['पानी']);
  const lao = 'ນ້ຳສະອາດແມ່ນສຳຄັນ';
  const [water] = marked(lao, termSpans(lao, new Set([tokenize(lao)[0]!])));
  assert.ok(water !== undefined && lao.startsWith(water) && water.length < lao.length, 'a word inside an unspaced run');
  assert.notEqual(water, tokenize(lao)[0], 'NFKC rewrites the vowel sign (ຳ), and the span is of the text as written');
});

const PASSAGE = 'Wakulima wanapanda mahindi shambani. Maji safi ni muhimu kwa afya ya watoto. Soko linafunguliwa Jumamosi.';

async function searched(mode: 'dense' | 'bm25' | 'hybrid', query: string): Promise<SearchResult> {
  const engine = testEngine(undefined);
  await engine.createCollection('c');
  await engine.upsertDocuments('c', [{ id: 'd', lang: 'sw', text: PASSAGE, title: 'Habari' }]);
  const { results } = await engine.search('c', { query, k: 1, mode, highlight: true });
  await engine.close();
  return results[0]!;
}

test('bm25 highlights the query terms in the passage, and no sentence', async () => {
  const result = await searched('bm25', 'MAJI safi watoto');
  assert.deepEqual(marked(result.text, result.highlights!.terms), ['Maji', 'safi', 'watoto']);
  assert.equal(result.highlights!.sentence, undefined);
});

test('dense highlights the sentence closest to the query, and no terms', async () => {
  const result = await searched('dense', 'maji safi kwa afya ya watoto');
  assert.equal(marked(result.text, [result.highlights!.sentence!])[0], 'Maji safi ni muhimu kwa afya ya watoto.');
  assert.equal(result.highlights!.terms, undefined);
  const other = await searched('dense', 'soko linafunguliwa jumamosi');
  assert.equal(marked(other.text, [other.highlights!.sentence!])[0], 'Soko linafunguliwa Jumamosi.');
});

test('hybrid highlights both; without highlight: true there are none', async () => {
  const result = await searched('hybrid', 'wakulima mahindi');
  assert.deepEqual(marked(result.text, result.highlights!.terms), ['Wakulima', 'mahindi']);
  assert.equal(marked(result.text, [result.highlights!.sentence!])[0], 'Wakulima wanapanda mahindi shambani.');
  const engine = testEngine(undefined);
  await engine.createCollection('c');
  await engine.upsertDocuments('c', [{ id: 'd', text: PASSAGE }]);
  const { results } = await engine.search('c', { query: 'maji', k: 1, mode: 'hybrid' });
  assert.equal(results[0]!.highlights, undefined);
  await engine.close();
});
