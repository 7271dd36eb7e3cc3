import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildUdhrBench, parseUdhrArticles, pickUdhrCodes, udhrIndexEntry } from '../../corpora/bench/udhr.js';

const html = (lang: string, code: string, articles: string[]) => `<!doctype html>
<html data-code="${code}" data-iso6393="${code}" dir="ltr" lang="${lang}"><body><header><p>Preamble</p></header>
${articles.map((a, i) => `<article data-number="${i + 1}"><h2>Article ${i + 1}</h2><p>${a}</p><ol><li>More &amp; more.</li></ol></article>`).join('\n')}
</body></html>`;

test('parseUdhrArticles numbers articles, drops headings, joins paragraphs', () => {
  const articles = parseUdhrArticles(html('en', 'eng', ['All humans are born free.', 'Everyone has rights.']));
  assert.deepEqual([...articles], [[1, 'All humans are born free. More & more.'], [2, 'Everyone has rights. More & more.']]);
});

test('buildUdhrBench maps each LRL article to the English article with the same number', () => {
  const en = parseUdhrArticles(html('en', 'eng', ['One.', 'Two.']));
  const sw = parseUdhrArticles(html('sw', 'swh', ['Moja.', 'Mbili.']));
  const bench = buildUdhrBench(en, new Map([['sw', sw]]));
  assert.deepEqual(bench.queries.map((q) => [q._id, q.lang]), [['sw-1', 'sw'], ['sw-2', 'sw']]);
  assert.deepEqual(bench.qrels.map((q) => [q.queryId, q.docId]), [['sw-1', 'udhr-en-1'], ['sw-2', 'udhr-en-2']]);
});

test('pickUdhrCodes prefers the configured code, then the exact BCP 47 tag', () => {
  const index = [
    udhrIndexEntry(html('sw', '062', []))!, udhrIndexEntry(html('sw', 'swh', []))!, udhrIndexEntry(html('yo', 'yor', []))!,
    udhrIndexEntry(html('uz-Latn', 'uzn_latn', []))!,
  ];
  const codes = pickUdhrCodes(index, ['sw', 'yo', 'uz', 'qu'], { sw: 'swh' });
  assert.deepEqual([...codes], [['sw', 'swh'], ['yo', 'yor']]);
});
