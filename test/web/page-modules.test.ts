/** The page's pure module (snippets, upload parsing) in Node, and its message catalogs against the keys the page uses. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { WEB_DIR } from '../../server/web.js';

interface Span {
  start: number;
  end: number;
}
interface TextModule {
  snippet(text: string, highlights?: { terms?: Span[]; sentence?: Span }, maxChars?: number): { segments: Array<{ text: string; mark: boolean }>; cutStart: boolean; cutEnd: boolean };
  parseDocumentsFile(fileName: string, content: string): { documents: Array<Record<string, unknown>>; errors: Array<{ line: number; message: string }> };
  batches<T>(items: T[], size: number): T[][];
}

const text = (await import(pathToFileURL(path.join(WEB_DIR, 'assets', 'text.js')).href)) as TextModule;
const rendered = (s: ReturnType<TextModule['snippet']>) => s.segments.map((x) => (x.mark ? `[${x.text}]` : x.text)).join('');

describe('snippet', () => {
  test('marks the terms inside the highlighted sentence', () => {
    const body = 'Kwanza. Kila mtu ana haki ya elimu. Mwisho.';
    const s = text.snippet(body, { sentence: { start: 8, end: 35 }, terms: [{ start: 21, end: 25 }, { start: 29, end: 34 }] });
    assert.equal(rendered(s), 'Kila mtu ana [haki] ya [elimu].');
    assert.deepEqual([s.cutStart, s.cutEnd], [true, true]);
  });

  test('without a sentence, a window around the first term; a term cut by the window is marked in part', () => {
    const body = `${'a'.repeat(500)} haki ${'b'.repeat(500)}`;
    const s = text.snippet(body, { terms: [{ start: 501, end: 505 }] }, 100);
    assert.equal(rendered(s).length, 102);
    assert.match(rendered(s), /^a+ \[haki\] b+$/);
    assert.deepEqual(text.snippet('short text', undefined).segments, [{ text: 'short text', mark: false }]);
  });

  test('never cuts a surrogate pair in two', () => {
    const body = `${'x'.repeat(9)}😀 tail`;
    const s = text.snippet(body, undefined, 10);
    assert.equal(rendered(s), 'x'.repeat(9));
  });
});

describe('parseDocumentsFile', () => {
  test('JSONL: documents as written, ids from the file name and line where missing, unreadable lines reported', () => {
    const content = '{"id": "a", "text": "Habari", "lang": "sw", "metadata": {"n": 1}}\n\n{"text": "Sannu"}\nnot json\n{"id": "b"}\n';
    const { documents, errors } = text.parseDocumentsFile('news.jsonl', content);
    assert.deepEqual(documents, [{ id: 'a', text: 'Habari', lang: 'sw', metadata: { n: 1 } }, { id: 'news-3', text: 'Sannu' }]);
    assert.deepEqual(errors.map((e) => e.line), [4, 5]);
  });

  test('TSV: the header names fields; other columns become metadata; a BOM and CRLF are fine', () => {
    const content = '\uFEFFid\ttext\tlang\tsource\r\nx1\tMvua imenyesha\tsw\tradio\r\n\tHakuna id\t\t\r\n';
    const { documents, errors } = text.parseDocumentsFile('data.tsv', content);
    assert.deepEqual(errors, []);
    assert.deepEqual(documents, [{ id: 'x1', text: 'Mvua imenyesha', lang: 'sw', metadata: { source: 'radio' } }, { id: 'data-3', text: 'Hakuna id' }]);
    assert.equal(text.parseDocumentsFile('data.tsv', 'id\ttitle\n1\tx').errors[0]?.message, 'the header row names no "text" column');
  });

  test('batches of at most the given size, in order', () => {
    assert.deepEqual(text.batches([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(text.batches([], 3), []);
  });
});

describe('message catalogs', () => {
  const catalog = (code: string) => JSON.parse(fs.readFileSync(path.join(WEB_DIR, 'assets', 'messages', `${code}.json`), 'utf8')) as Record<string, string>;
  const en = catalog('en');
  const sw = catalog('sw');

  test('Swahili translates every English message, with the same placeholders', () => {
    assert.deepEqual(Object.keys(sw).sort(), Object.keys(en).sort());
    const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en)) assert.deepEqual(placeholders(sw[key]!), placeholders(en[key]!), key);
  });

  test('every key the page uses is in the catalog', () => {
    const sources = [path.join(WEB_DIR, 'index.html'), ...['app.js', 'search.js', 'admin.js'].map((f) => path.join(WEB_DIR, 'assets', f))];
    const used = new Set<string>();
    for (const file of sources) {
      const source = fs.readFileSync(file, 'utf8');
      for (const m of source.matchAll(/data-i18n(?:-aria-label)?="([a-z_0-9]+)"/g)) used.add(m[1]!);
      for (const m of source.matchAll(/\bt\('([a-z_0-9]+)'/g)) used.add(m[1]!);
    }
    assert.ok(used.size > 40, `found ${used.size} keys`);
    assert.deepEqual([...used].filter((key) => !(key in en)), []);
  });
});

test('the page offers every search mode the API has', async () => {
  const { SEARCH_MODES } = await import('../../indexer/types.js');
  const html = fs.readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
  const select = /<select id="mode"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
  const offered = [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual([...offered].sort(), [...SEARCH_MODES].sort());
});
